import type { Candidate } from "../mining/ReviewQueue.js";
import { finalAnswer, finalQuestion } from "../mining/ReviewQueue.js";

/** A candidate for the terminal: id and status, question, answer, where it came from, and why it counts as resolved. */
export function formatCandidate(c: Candidate): string {
  const edited = (value: string | undefined) => (value !== undefined ? " (edited)" : "");
  const extra = c.provenance.length - 1;
  const source = c.threadUrl ?? (c.thread.location ? `${c.thread.location.file}:${c.thread.location.line}` : c.threadId);
  const signals = c.signals.map((s) => (s.kind === "thanks" ? `thanks "${s.detail}"` : `${s.kind} ${s.detail}`)).join("; ");
  const lines = [
    `[${c.id}] ${c.status} · ${c.platform}${c.thread.channel ? ` ${c.thread.channel}` : ""} · ${c.extractedBy === "model" ? "written by the model" : "rule-based"}`,
    `Q${edited(c.editedQuestion)}: ${finalQuestion(c)}`,
    `A${edited(c.editedAnswer)}: ${indent(finalAnswer(c))}`,
    `source: ${source}${extra > 0 ? ` (+${extra} similar thread${extra === 1 ? "" : "s"}: ${c.provenance.slice(1).map((p) => p.url ?? p.threadId).join(", ")})` : ""}`,
  ];
  if (signals) lines.push(`signals: ${signals}`);
  if (c.mergedInto) lines.push(`merged into ${c.mergedInto.kind === "faq" ? "FAQ entry" : "candidate"} ${c.mergedInto.id} "${c.mergedInto.title}" (similarity ${c.mergedInto.similarity.toFixed(2)})`);
  return `${lines.join("\n")}\n`;
}

/** The whole conversation, one message per line, the answer's messages marked. */
export function formatThread(c: Candidate): string {
  const answer = new Set(c.answerMessageIds);
  return `${c.thread.messages.map((m) => `${answer.has(m.id) ? "*" : " "} ${m.author} (${m.role}): ${indent(m.text, "    ")}`).join("\n")}\n`;
}

function indent(text: string, by = "   "): string {
  return text.trim().replace(/\n/g, `\n${by}`);
}

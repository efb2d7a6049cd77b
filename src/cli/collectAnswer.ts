import type { AnswerTiming, BotEvent } from "../BotEvent.js";
import type { ErrorCode } from "../errors.js";
import { abstentionWithHandoff } from "../pipeline/abstentionWithHandoff.js";
import type { AnswerSource } from "../pipeline/AnswerSource.js";

/** One answer as the CLI reports it (`--json` prints exactly this). */
export interface AnswerSummary {
  answer: string;
  mode: "generative" | "extractive" | null;
  abstained: boolean;
  handoff: boolean;
  sources: { n: number; id: string; title: string; source: string; score: number; cited: boolean }[];
  /** Under a verbatim answer: entries for other questions that matched nearly as well. */
  related: { n: number; id: string; title: string; source: string; score: number }[];
  /** Why the bot did not answer (`unsure`: close entries offered; `low-confidence`, `no-passages`), or null. */
  abstainReason: string | null;
  timing: AnswerTiming | null;
  notices: string[];
  error: { code: ErrorCode; message: string } | null;
}

export interface CollectOptions {
  /** Called with each piece of answer text as it streams (the whole message for abstentions and handoffs). */
  onText?: (text: string) => void;
  onNotice?: (message: string) => void;
}

/** Reads `bot.ask()` events into a summary, streaming text and notices to the callbacks as they come. */
export async function collectAnswer(events: AsyncIterable<BotEvent>, options: CollectOptions = {}): Promise<AnswerSummary> {
  const summary: AnswerSummary = { answer: "", mode: null, abstained: false, handoff: false, sources: [], related: [], abstainReason: null, timing: null, notices: [], error: null };
  const list = (sources: AnswerSource[], cited: AnswerSource[]) =>
    sources.map((s) => ({ n: s.n, id: s.id, title: s.title, source: s.source, score: s.score, cited: cited.some((c) => c.n === s.n) }));
  for await (const event of events) {
    switch (event.type) {
      case "notice":
        summary.notices.push(event.message);
        options.onNotice?.(event.message);
        break;
      case "sources":
        summary.sources = list(event.sources, []);
        break;
      case "token":
        summary.answer += event.text;
        options.onText?.(event.text);
        break;
      case "done":
        summary.answer = event.answer;
        summary.mode = event.mode;
        summary.sources = list(event.sources, event.citations);
        summary.related = (event.related ?? []).map((s) => ({ n: s.n, id: s.id, title: s.title, source: s.source, score: s.score }));
        summary.timing = event.timing;
        break;
      case "abstained":
        summary.abstained = true;
        summary.abstainReason = event.reason;
        summary.answer = event.message;
        summary.sources = list(event.sources, []);
        summary.timing = event.timing;
        options.onText?.(event.message);
        break;
      case "handoff":
        summary.handoff = true;
        if (event.message) {
          // After an abstention, both messages: the conversation's stored turn says the same.
          summary.answer = summary.abstained ? abstentionWithHandoff(summary.answer, event.message) : event.message;
          options.onText?.(summary.abstained ? `\n\n${event.message}` : event.message);
        }
        break;
      case "error":
        summary.error = { code: event.code, message: event.message };
        break;
    }
  }
  return summary;
}

/** "Sources:" lines under an answer; cited sources first and marked. */
export function formatSources(summary: AnswerSummary): string {
  if (summary.sources.length === 0) return "";
  const title = summary.abstained ? "Closest matches:" : "Sources:";
  const ordered = [...summary.sources].sort((a, b) => Number(b.cited) - Number(a.cited) || a.n - b.n);
  const related = summary.related.length > 0 ? `Related:\n${summary.related.map((s) => `  [${s.n}] ${s.title} — ${s.source}`).join("\n")}\n` : "";
  return `${title}\n${ordered.map((s) => `  [${s.n}] ${s.title} — ${s.source}${s.cited || summary.abstained || summary.mode === "extractive" ? "" : " (not cited)"}`).join("\n")}\n${related}`;
}

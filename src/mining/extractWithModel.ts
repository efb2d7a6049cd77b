import type { ChatThread } from "../chat/ChatThread.js";
import type { ChatModel } from "../model/ChatModel.js";
import type { PromptTemplate } from "../prompts/PromptTemplate.js";
import type { Resolution } from "./detectResolution.js";
import type { QaDraft } from "./extractCandidate.js";

/** Longest message text put in the prompt, and the most messages: long threads keep their opening and the end around the answer. */
const MESSAGE_CHARS = 600;
const OPENING_MESSAGES = 4;
const CLOSING_MESSAGES = 8;

export interface ModelQaResult {
  /** The model's Q/A, or undefined when its output could not be read (then `problem` says why). */
  draft?: QaDraft;
  problem?: string;
  /** What the model wrote, for logs. */
  output: string;
}

/**
 * Asks the chat model for a condensed `Q: ...` / `A: ...` pair. The conversation goes in as plain text,
 * one message per line with its role, the resolving reply marked. Never throws for a model's bad output:
 * the caller falls back to the rule-based pair.
 */
export async function extractWithModel(
  thread: ChatThread,
  resolution: Resolution,
  model: ChatModel,
  prompt: PromptTemplate,
  options: { signal?: AbortSignal; maxTokens?: number } = {},
): Promise<ModelQaResult> {
  const content = prompt.render({ conversation: renderConversation(thread, resolution.answerIndex) });
  let output = "";
  try {
    const stream = model.stream([{ role: "user", content }], { maxTokens: options.maxTokens ?? 300, temperature: 0, ...(options.signal ? { signal: options.signal } : {}) });
    for await (const piece of stream) output += piece;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { problem: `the model failed: ${(error as Error).message}`, output };
  }
  const parsed = parseModelQa(output);
  if (typeof parsed === "string") return { problem: parsed, output };
  const answerMessageId = resolution.answerMessageId;
  return { draft: { ...parsed, questionMessageIds: [], answerMessageIds: answerMessageId ? [answerMessageId] : [], extractedBy: "model" }, output };
}

/** `Q: ...` then `A: ...` (anything before Q: is ignored, a second Q: ends the answer), or why not. */
export function parseModelQa(output: string): { question: string; answer: string } | string {
  const match = /(?:^|\n)\s*\**Q\**\s*[:：]\**\s*([\s\S]*?)\n\s*\**A\**\s*[:：]\**\s*([\s\S]*)$/iu.exec(output.trim());
  if (!match) return 'the model\'s output has no "Q: ..." line followed by an "A: ..." line';
  const question = match[1]!.replace(/\s+/g, " ").trim();
  const answer = match[2]!.split(/\n\s*\**Q\**\s*[:：]/u)[0]!.trim();
  if (question.length < 5 || question.length > 400) return `the model's question is ${question.length} characters (expected 5 to 400)`;
  if (answer.length < 2 || answer.length > 2000) return `the model's answer is ${answer.length} characters (expected 2 to 2000)`;
  return { question, answer };
}

/** "customer (maya): ..." per line; long threads keep their opening and the messages up to just after the answer. */
export function renderConversation(thread: ChatThread, answerIndex?: number): string {
  const lines = thread.messages.map((m, i) => {
    const text = m.text.replace(/\s+/g, " ").trim();
    const cut = text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}…` : text;
    return `${m.role} (${m.author})${i === answerIndex ? " (resolving reply)" : ""}: ${cut}`;
  });
  if (lines.length <= OPENING_MESSAGES + CLOSING_MESSAGES) return lines.join("\n");
  const end = Math.min(lines.length, Math.max((answerIndex ?? lines.length - 1) + 2, OPENING_MESSAGES + CLOSING_MESSAGES));
  const closing = lines.slice(Math.max(OPENING_MESSAGES, end - CLOSING_MESSAGES), end);
  return [...lines.slice(0, OPENING_MESSAGES), "[…]", ...closing].join("\n");
}

import type { ChatModel } from "../model/ChatModel.js";
import type { Prompts } from "../prompts/loadPrompts.js";
import type { Turn } from "../store/ConversationStore.js";
import { tokenize } from "../knowledge/tokenize.js";
import type { CondenseMode } from "./AnswerPolicy.js";

export interface CondenseInput {
  /** The conversation so far, oldest first. */
  history: readonly Turn[];
  /** The customer's latest message. */
  question: string;
}

export interface CondenseOptions {
  mode: CondenseMode;
  model?: ChatModel | undefined;
  prompts: Pick<Prompts, "condense">;
  signal?: AbortSignal | undefined;
}

export interface Condensed {
  /** What to retrieve with. */
  question: string;
  /** How it was made: unchanged, joined to the previous question, or rewritten by the model. */
  by: "unchanged" | "rules" | "model";
}

// Words that point back at what was said before ("does it sync?", "can they see this?").
const POINTERS = /\b(it|its|it's|this|that one|these|those|they|them|their|same|instead|else|either)\b/i;
// Openings that continue the previous question ("and on Android?", "what about teams?").
const CONTINUATIONS = /^(and|or|but|also|what about|how about|and if|what if|same for|then)\b/i;

/** Whether a message reads as a follow-up that needs the conversation to be understood. */
export function looksLikeFollowUp(question: string): boolean {
  const terms = tokenize(question).length;
  const text = question.trim();
  return terms === 0 || CONTINUATIONS.test(text) || (terms <= 6 && POINTERS.test(text));
}

/**
 * The condense step: a follow-up becomes a standalone question for retrieval. A standalone question, or the first
 * of a conversation, passes unchanged (no model call, so the conversation's cached prompt stays warm).
 */
export async function condenseQuestion(input: CondenseInput, options: CondenseOptions): Promise<Condensed> {
  const { history, question } = input;
  const previous = [...history].reverse().find((t) => t.role === "user");
  if (previous === undefined) return { question, by: "unchanged" };
  const followUp = looksLikeFollowUp(question);
  const model = options.mode === "model" || (options.mode === "auto" && followUp) ? options.model : undefined;
  if (model !== undefined) {
    const rewritten = await condenseWithModel(input, model, options.prompts, options.signal);
    if (rewritten !== undefined) return { question: rewritten, by: "model" };
  }
  if (!followUp) return { question, by: "unchanged" };
  return { question: `${previous.text.trim()} ${question.trim()}`, by: "rules" };
}

async function condenseWithModel(input: CondenseInput, model: ChatModel, prompts: Pick<Prompts, "condense">, signal: AbortSignal | undefined): Promise<string | undefined> {
  const content = prompts.condense.render({ history: historyText(input.history), question: input.question.trim() });
  const stream = model.stream([{ role: "user", content }], { maxTokens: 64, temperature: 0, stop: ["\n"], ...(signal ? { signal } : {}) });
  let text = "";
  for await (const piece of stream) text += piece;
  const line = text.trim().replace(/^(standalone question|question)\s*:\s*/i, "").replace(/^"|"$/g, "").trim();
  // An empty or rambling rewrite is worse than none: fall back to the rules.
  return line.length >= 3 && line.length <= input.question.length * 3 + 200 ? line : undefined;
}

/** The last few turns as "Customer: ..." / "Assistant: ..." lines, long answers shortened. */
function historyText(history: readonly Turn[]): string {
  return history
    .slice(-6)
    .map((t) => {
      const text = t.text.replace(/\s+/g, " ").trim();
      return `${t.role === "user" ? "Customer" : "Assistant"}: ${text.length > 400 ? `${text.slice(0, 397)}...` : text}`;
    })
    .join("\n");
}

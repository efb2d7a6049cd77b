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
  /**
   * What a follow-up that swaps one detail of the previous question names instead, in the customer's words
   * ("to Australia" in "and to Australia?"): the answer must be about it, not about what was asked before.
   * Undefined for other messages.
   */
  named?: string;
}

/** A follow-up that swaps one detail of the previous question, read apart. */
export interface DetailSwap {
  /** The previous question with its last detail replaced by the new one: what to search for. */
  question: string;
  /** The new detail, in the customer's words. */
  named: string;
}

// Words that point back at what was said before ("does it sync?", "can they see this?", "how do I do that on Linux?");
// "that" only where it stands for a thing, not where it starts a clause ("files that are open").
const POINTERS =
  /\b(it|its|it's|this|these|those|they|them|their|same|instead|else|either)\b|\bthat(?=\s*(?:[?.!,]|$)|\s+(?:on|in|for|with|to|from|at|by|work|works|cost|costs|too|also|again|free|possible|available|mean|means)\b)/i;
// Openings that continue the previous question ("and on Android?", "what about teams?").
const CONTINUATIONS = /^(and|or|but|also|what about|how about|and if|what if|same for|then)\b/i;

/** Whether a message reads as a follow-up that needs the conversation to be understood. */
export function looksLikeFollowUp(question: string): boolean {
  const terms = tokenize(question).length;
  const text = question.trim();
  return terms === 0 || CONTINUATIONS.test(text) || (terms <= 6 && POINTERS.test(text));
}

// "and to Australia?", "what about Zoom?": an opening, then only the new detail.
const SWAP = /^(?:and|or|also|what about|how about|same for)\b[\s,]*(.*?)[\s?.!]*$/is;
// A rest that starts like this is a question or a condition of its own ("and how long does it take?"), not a detail.
const NOT_A_DETAIL = /^(?:how|what|when|where|why|who|which|whose|is|are|was|were|do|does|did|can|could|will|would|should|may|might|must|have|has|had|if|i|we|you|they|he|she|it|this|that|there|then|so|not|no|yes|ok|okay|thanks?)\b/i;
// Where a question's last detail starts ("arrives | in Germany", "connect Tidepool | to Slack"). Not "of": it joins noun phrases.
const PREPOSITIONS = "in|on|to|for|with|at|from|by|per|into|onto|via|under|over|without|within|through|across|between";
const PREPOSITION = new RegExp(`(?<=\\s)(${PREPOSITIONS})(?=\\s)`, "gi");
const LEADING_PREPOSITION = new RegExp(`^(?:${PREPOSITIONS})\\s`, "i");

/**
 * Reads "and to Australia?" after "How long until my order arrives in Germany?" as "How long until my order arrives
 * to Australia?": the new detail takes the place of the previous question's last one (from its last preposition on;
 * a detail without a preposition keeps the old one); a previous question without such a detail is joined with the new
 * one. Undefined when the message is more than a detail.
 */
export function swapDetail(previous: string, followUp: string): DetailSwap | undefined {
  const rest = SWAP.exec(followUp.trim())?.[1]?.trim();
  if (!rest || NOT_A_DETAIL.test(rest) || POINTERS.test(rest) || rest.split(/\s+/).length > 8 || tokenize(rest).length === 0) return undefined;
  const asked = previous.trim().replace(/[\s?.!]+$/, "");
  const last = [...asked.matchAll(PREPOSITION)].at(-1);
  if (last?.index === undefined) return { question: `${previous.trim()} ${followUp.trim()}`, named: rest };
  const detail = LEADING_PREPOSITION.test(rest) ? rest : `${last[1]!} ${rest}`;
  return { question: `${asked.slice(0, last.index)}${detail}?`, named: rest };
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
  const swap = followUp ? swapDetail(previous.text, question) : undefined;
  const named = swap ? { named: swap.named } : {};
  const model = options.mode === "model" || (options.mode === "auto" && followUp) ? options.model : undefined;
  if (model !== undefined) {
    const rewritten = await condenseWithModel(input, model, options.prompts, options.signal);
    if (rewritten !== undefined) return { question: rewritten, by: "model", ...named };
  }
  if (!followUp) return { question, by: "unchanged" };
  return { question: swap?.question ?? `${previous.text.trim()} ${question.trim()}`, by: "rules", ...named };
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

import type { ChatMessage } from "../model/ChatModel.js";
import type { Prompts } from "../prompts/loadPrompts.js";
import type { Turn } from "../store/ConversationStore.js";
import type { Passage } from "../types.js";
import { toAnswerSource, type AnswerSource } from "./AnswerSource.js";
import { SourceNumbering } from "./numberSources.js";

/** A chunk as retrieval would return it (without scores), looked up to rebuild an earlier turn's prompt. */
export type ChunkLookup = (chunkId: string) => Omit<Passage, "score" | "signals"> | undefined;

export interface AnswerMessagesInput {
  prompts: Pick<Prompts, "system" | "answer">;
  product: string;
  /** The conversation so far, oldest first. */
  history: readonly Turn[];
  /** The customer's message, as typed. */
  question: string;
  /** Passages retrieved for it, best first. */
  passages: readonly Passage[];
  /** Finds the passages earlier generative turns were given. */
  lookup: ChunkLookup;
}

export interface AnswerMessages {
  messages: ChatMessage[];
  /** This turn's passages with their conversation-wide numbers, best first. */
  sources: AnswerSource[];
  /** Every number given so far in the conversation (earlier turns' included): what a citation may point to. */
  citable: AnswerSource[];
}

/**
 * The prompt step: the system prompt, the conversation so far, and the question with its numbered sources.
 * Earlier turns are rebuilt exactly as they were sent (same sources, same numbers), so the model's cache of
 * the conversation still matches and a follow-up evaluates only what is new. A source given earlier in the
 * conversation is referred to by its number instead of being repeated.
 */
export function buildAnswerMessages(input: AnswerMessagesInput): AnswerMessages {
  const { prompts, history, lookup } = input;
  const numbering = new SourceNumbering();
  const citable = new Map<number, AnswerSource>();
  const messages: ChatMessage[] = [{ role: "system", content: prompts.system.render({ product: input.product }) }];
  const push = (role: "user" | "assistant", content: string) => {
    const last = messages[messages.length - 1]!;
    // Two user turns in a row (e.g. messages while a human had the conversation) become one message.
    if (last.role === role) last.content = `${last.content}\n\n${content}`;
    else messages.push({ role, content });
  };

  for (const [i, turn] of history.entries()) {
    if (turn.role === "assistant") {
      push("assistant", turn.text);
      continue;
    }
    const answer = history[i + 1]?.role === "assistant" ? history[i + 1] : undefined;
    if (answer?.mode !== "generative") {
      push("user", turn.text);
      continue;
    }
    const given = (answer.sources ?? []).flatMap((s) => {
      const chunk = lookup(s.id);
      return chunk ? [{ ...chunk, score: s.score, signals: {} }] : [];
    });
    const block = sourcesBlock(given, numbering);
    for (const g of given) {
      const n = numbering.assign(g.chunkId).n;
      citable.set(n, toAnswerSource(g, n));
    }
    push("user", prompts.answer.render({ sources: block, question: turn.text }));
  }

  const block = sourcesBlock(input.passages, numbering);
  const sources = input.passages.map((p) => toAnswerSource(p, numbering.assign(p.chunkId).n));
  for (const s of sources) citable.set(s.n, s);
  push("user", prompts.answer.render({ sources: block, question: input.question }));
  return { messages, sources, citable: [...citable.values()].sort((a, b) => a.n - b.n) };
}

/** "[n] title\ntext" for a source new to the conversation, "[n] title (given above)" for one given before. */
function sourcesBlock(passages: readonly { chunkId: string; title: string; text: string }[], numbering: SourceNumbering): string {
  const lines = passages.map((p) => {
    const { n, isNew } = numbering.assign(p.chunkId);
    return isNew ? `[${n}] ${p.title}\n${p.text.trim()}` : `[${n}] ${p.title} (given above)`;
  });
  return lines.join("\n\n");
}

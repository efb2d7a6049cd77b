import { RunnableLambda, type Runnable } from "@langchain/core/runnables";
import type { ChatModel } from "../model/ChatModel.js";
import type { Prompts } from "../prompts/loadPrompts.js";
import type { Turn } from "../store/ConversationStore.js";
import type { Passage } from "../types.js";
import type { AnswerPolicy } from "./AnswerPolicy.js";
import type { AnswerSource } from "./AnswerSource.js";
import { assessAnswerability, type Answerability } from "./assessAnswerability.js";
import { buildAnswerMessages, type AnswerMessages, type ChunkLookup } from "./buildAnswerMessages.js";
import { cite, type CitedAnswer } from "./cite.js";
import { condenseQuestion, type CondenseInput, type Condensed } from "./condenseQuestion.js";

/** Anything that finds passages for a question; `HybridRetriever` is the default. */
export interface Retriever {
  retrieve(query: string, options?: { k?: number; signal?: AbortSignal }): Promise<Passage[]>;
}

export interface GateInput {
  question: string;
  passages: Passage[];
}

export interface PromptInput {
  history: readonly Turn[];
  question: string;
  passages: Passage[];
}

export interface CiteInput {
  answer: string;
  /** Every source the answer may cite (this turn's and earlier turns'). */
  sources: AnswerSource[];
}

/**
 * The answer pipeline's steps, each a LangChain runnable (so it can be traced, composed, or swapped for your own):
 * condense → retrieve → gate → prompt → (the chat model generates) → cite.
 */
export interface PipelineSteps {
  condense: Runnable<CondenseInput, Condensed>;
  retrieve: Runnable<string, Passage[]>;
  gate: Runnable<GateInput, Answerability>;
  prompt: Runnable<PromptInput, AnswerMessages>;
  cite: Runnable<CiteInput, CitedAnswer>;
}

export interface PipelineStepsOptions {
  retriever: Retriever;
  prompts: Prompts;
  policy: AnswerPolicy;
  /** Rewrites follow-ups when the policy says so. Defaults to none: rules only. */
  chatModel?: ChatModel | undefined;
  /** Finds earlier turns' passages to rebuild their prompts (a knowledge store's `getPassages`). */
  lookup: PassageLookup;
}

/** Chunks by id, in the order asked for; undefined for one no longer in the knowledge. */
export type PassageLookup = (chunkIds: readonly string[]) => Promise<(ReturnType<ChunkLookup>)[]>;

/** The default steps. */
export function createPipelineSteps(options: PipelineStepsOptions): PipelineSteps {
  const { retriever, prompts, policy, chatModel, lookup } = options;
  return {
    condense: RunnableLambda.from((input: CondenseInput, config) =>
      condenseQuestion(input, { mode: policy.condense, model: chatModel, prompts, signal: config?.signal }),
    ).withConfig({ runName: "condense" }),
    retrieve: RunnableLambda.from((question: string, config) =>
      retriever.retrieve(question, { k: policy.maxSources, ...(config?.signal ? { signal: config.signal } : {}) }),
    ).withConfig({ runName: "retrieve" }),
    gate: RunnableLambda.from((input: GateInput) => assessAnswerability(input.question, input.passages, policy)).withConfig({ runName: "gate" }),
    prompt: RunnableLambda.from(async (input: PromptInput) => {
      // The passages earlier generative turns were given, fetched in one go to rebuild their prompts.
      const ids = [...new Set(input.history.flatMap((turn) => (turn.mode === "generative" ? (turn.sources ?? []).map((s) => s.id) : [])))];
      const found = ids.length > 0 ? await lookup(ids) : [];
      const known = new Map(ids.map((id, i) => [id, found[i]]));
      return buildAnswerMessages({ prompts, product: policy.product, lookup: (id) => known.get(id), history: input.history, question: input.question, passages: input.passages });
    }).withConfig({ runName: "prompt" }),
    cite: RunnableLambda.from((input: CiteInput) => cite(input.answer, input.sources)).withConfig({ runName: "cite" }),
  };
}

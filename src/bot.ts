import { randomUUID } from "node:crypto";
import type { BotEvent } from "./BotEvent.js";
import { firstSighting } from "./channels/seenEvents.js";
import { LlamadeskError, isLlamadeskError } from "./errors.js";
import type { Embedder } from "./knowledge/Embedder.js";
import type { KnowledgeStore } from "./knowledge/KnowledgeStore.js";
import type { ChatModel } from "./model/ChatModel.js";
import { answerQuestion } from "./pipeline/answerQuestion.js";
import { ANSWER_MODES, resolvePolicy, type AnswerMode, type AnswerPolicy, type AnswerPolicyInput } from "./pipeline/AnswerPolicy.js";
import { createPipelineSteps, type PipelineSteps, type Retriever } from "./pipeline/createPipelineSteps.js";
import type { Prompts } from "./prompts/loadPrompts.js";
import { HybridRetriever } from "./retrieval/HybridRetriever.js";
import { claimConversation } from "./store/claimConversation.js";
import type { ConversationStatus, ConversationStore, FeedbackCounts, FeedbackInput, Turn } from "./store/ConversationStore.js";

export interface BotOptions {
  /** The knowledge the bot answers from (`openKnowledgeStore`). New knowledge a sync applies is answered from at once. */
  knowledge: KnowledgeStore;
  /** The embedder that built the knowledge. */
  embedder: Embedder;
  /** Writes generative answers. Defaults to none: every answer is extractive. */
  chatModel?: ChatModel | undefined;
  /** Why there is no chat model, told once (as a `notice` event) so operators know answers are extractive. Defaults to none. */
  chatModelProblem?: LlamadeskError | undefined;
  /** Conversations, their turns and feedback. */
  store: ConversationStore;
  /** From `loadPrompts()`. */
  prompts: Prompts;
  /** Defaults to `DEFAULT_POLICY` (see AnswerPolicy.ts). */
  policy?: AnswerPolicyInput;
  /** Finds passages. Defaults to a `HybridRetriever` over `knowledge` and `embedder`. */
  retriever?: Retriever;
  /** Replaces pipeline steps (each a LangChain runnable). Defaults to `createPipelineSteps()`'s. */
  steps?: Partial<PipelineSteps>;
}

export interface AskInput {
  /** Chosen by the channel (a Slack thread, a widget session): the same id continues the conversation. */
  conversationId: string;
  /** The customer's message. */
  text: string;
  /** Platform user id. Defaults to none. */
  user?: string;
  /** Channel name ("slack", "web", "cli"), kept with the conversation. Defaults to none. */
  channel?: string;
  /** Overrides the policy's mode for this question. Defaults to the policy's. */
  mode?: AnswerMode;
  /** Aborting stops retrieval or generation; the iteration then ends with an `ABORTED` error event. */
  signal?: AbortSignal;
}

/** A support bot: questions in, typed answer events out. Every channel talks to it through `ask`. */
export interface Bot {
  readonly policy: AnswerPolicy;
  /** The chat model, when there is one. */
  readonly chatModel: ChatModel | undefined;
  /** Answers one message; see `BotEvent` for what comes out in which order. Never throws: failures are `error` events. */
  ask(input: AskInput): AsyncGenerator<BotEvent, void, undefined>;
  /** The conversation's turns, oldest first. */
  history(conversationId: string): Promise<Turn[]>;
  /** A 👍/👎 on an answer (its `turnId` from `done`/`abstained`), one vote per user. */
  feedback(input: FeedbackInput): Promise<FeedbackCounts>;
  /** A human has finished with a handed-off conversation: the bot answers in it again. */
  resolve(conversationId: string): Promise<void>;
  /**
   * Where the conversation stands (`handed-off`: a human has it and the bot stays quiet), as the conversation
   * store has it, so every replica on one store agrees; `undefined` for a conversation not started yet.
   */
  status(conversationId: string): Promise<ConversationStatus | undefined>;
  /**
   * True the first time `channel` ("slack") sees platform event `eventId`, false when the platform delivers it
   * again (a Slack retry, a Discord replay) within an hour: kept in the conversation store, so a redelivery after
   * a restart is not answered twice. See `seenEvents.ts`.
   */
  firstSighting(channel: string, eventId: string): Promise<boolean>;
  /** Frees the chat model, embedder, knowledge and conversation stores. */
  dispose(): Promise<void>;
}

/** The composition root: builds a bot from the dependencies given, and nothing else. */
export function createBot(options: BotOptions): Bot {
  const policy = resolvePolicy(options.policy);
  const { embedder, chatModel, store, prompts, knowledge } = options;
  const retriever: Retriever = options.retriever ?? new HybridRetriever({ store: knowledge, embedder });
  const lookup = (chunkIds: readonly string[]) => knowledge.getPassages(chunkIds);
  const steps: PipelineSteps = { ...createPipelineSteps({ retriever, prompts, policy, chatModel, lookup }), ...options.steps };
  let notice: BotEvent | undefined = options.chatModelProblem && {
    type: "notice",
    code: options.chatModelProblem.code,
    message: `Answers are extractive (the best-matching FAQ answer, verbatim): ${options.chatModelProblem.message}`,
  };
  // Turns of one conversation must not interleave: asks in the same conversation run one after another, in this
  // process (tails) and across the processes on one conversation store (a claim in the store).
  const tails = new Map<string, Promise<void>>();
  const holder = randomUUID();
  let disposed = false;

  async function* ask(input: AskInput): AsyncGenerator<BotEvent, void, undefined> {
    const startedAt = performance.now();
    const invalid = checkAsk(input);
    if (invalid) {
      yield { type: "error", code: "INVALID_OPTION", message: invalid };
      return;
    }
    if (disposed) {
      yield { type: "error", code: "INVALID_OPTION", message: "This bot was disposed; create a new one." };
      return;
    }
    if (notice) {
      yield notice;
      notice = undefined;
    }
    const previous = tails.get(input.conversationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    tails.set(input.conversationId, tail);
    try {
      await waitOrAbort(previous, input.signal);
      const claim = await claimConversation(store, input.conversationId, holder, { signal: input.signal });
      try {
        yield* answerQuestion(input, { steps, store, prompts, policy, chatModel, startedAt });
      } finally {
        // Should the store fail now, the claim's time runs out on its own: nothing to tell the customer.
        await claim.release().catch(() => {});
      }
    } catch (error) {
      yield toErrorEvent(error, input.signal);
    } finally {
      release();
      if (tails.get(input.conversationId) === tail) tails.delete(input.conversationId);
    }
  }

  return {
    policy,
    chatModel,
    ask,
    history: (conversationId) => store.history(conversationId),
    feedback: (feedback) => store.recordFeedback(feedback),
    resolve: async (conversationId) => void (await store.setStatus(conversationId, "resolved")),
    status: async (conversationId) => (await store.getConversation(conversationId))?.status,
    firstSighting: (channel, eventId) => firstSighting(store, channel, eventId),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.allSettled([...tails.values()]);
      await chatModel?.dispose();
      await embedder.dispose?.();
      await knowledge.dispose();
      await store.dispose();
    },
  };
}

function checkAsk(input: AskInput): string | undefined {
  if (typeof input?.conversationId !== "string" || input.conversationId.trim() === "") return "ask: conversationId must be a non-empty string.";
  if (typeof input.text !== "string" || input.text.trim() === "") return "ask: text must be a non-empty string (the customer's message).";
  if (input.mode !== undefined && !ANSWER_MODES.includes(input.mode)) {
    return `ask: mode must be one of ${ANSWER_MODES.map((m) => `"${m}"`).join(", ")} (got ${JSON.stringify(input.mode)}).`;
  }
  return undefined;
}

function waitOrAbort(previous: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return previous;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

function toErrorEvent(error: unknown, signal: AbortSignal | undefined): BotEvent {
  if (signal?.aborted) return { type: "error", code: "ABORTED", message: "The question was cancelled before the answer was finished." };
  if (isLlamadeskError(error)) return { type: "error", code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { type: "error", code: "INTERNAL_ERROR", message: `Unexpected failure while answering: ${message}. Try again; if it persists, report it.` };
}

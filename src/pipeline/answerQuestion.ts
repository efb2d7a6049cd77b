import type { AnswerTiming, BotEvent } from "../BotEvent.js";
import type { AskInput } from "../bot.js";
import { isLlamadeskError } from "../errors.js";
import type { ChatModel, ChatStream, GenerationResult } from "../model/ChatModel.js";
import type { Prompts } from "../prompts/loadPrompts.js";
import type { ConversationStore, NewTurn, Turn, TurnSource } from "../store/ConversationStore.js";
import type { Passage } from "../types.js";
import { abstentionWithHandoff } from "./abstentionWithHandoff.js";
import type { AnswerMode, AnswerPolicy } from "./AnswerPolicy.js";
import { toAnswerSource, type AnswerSource } from "./AnswerSource.js";
import type { AnswerMessages } from "./buildAnswerMessages.js";
import type { PipelineSteps } from "./createPipelineSteps.js";
import { detectHandoffRequest } from "./detectHandoffRequest.js";
import { preferNamed } from "./preferNamed.js";

export interface AnswerDeps {
  steps: PipelineSteps;
  store: ConversationStore;
  prompts: Prompts;
  policy: AnswerPolicy;
  chatModel: ChatModel | undefined;
  /** `performance.now()` when `ask` was called: time to first token counts from here. */
  startedAt: number;
}

/** One ask, start to end: handoff checks, condense → retrieve → gate, then an extractive or generative answer. */
export async function* answerQuestion(input: AskInput, deps: AnswerDeps): AsyncGenerator<BotEvent, void, undefined> {
  const { steps, store, prompts, policy, startedAt } = deps;
  const { conversationId, text, signal } = input;
  const userTurn: NewTurn = {
    conversationId,
    role: "user",
    text,
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.user ? { user: input.user } : {}),
  };
  const config = signal ? { signal } : {};
  const conversation = await store.getConversation(conversationId);

  if (conversation?.status === "handed-off") {
    // A human has this conversation: keep the message for them and say nothing.
    await store.appendTurn(userTurn);
    yield { type: "handoff", reason: "awaiting-human", message: "" };
    return;
  }
  if (detectHandoffRequest(text)) {
    const message = prompts.handoff.render({ product: policy.product });
    const [, answer] = await appendTurns(store, userTurn, { text: message, outcome: "handoff", handoffReason: "user-request" });
    await store.setStatus(conversationId, "handed-off");
    yield { type: "handoff", reason: "user-request", message, turnId: answer.id };
    return;
  }

  const history = policy.historyTurns > 0 && conversation ? await store.history(conversationId, { limit: policy.historyTurns }) : [];
  let mark = performance.now();
  const condensed = await steps.condense.invoke({ history, question: text }, config);
  const condenseMs = performance.now() - mark;
  mark = performance.now();
  // A follow-up that swaps a detail ("and to Australia?") is answered from passages about the new detail.
  const passages = preferNamed(await steps.retrieve.invoke(condensed.question, config), condensed.named);
  const retrievalMs = performance.now() - mark;
  const verdict = await steps.gate.invoke({ question: condensed.question, passages }, config);
  const timing = (partial: Partial<AnswerTiming> = {}): AnswerTiming => ({
    condenseMs,
    retrievalMs,
    queueMs: 0,
    timeToFirstTokenMs: null,
    tokensPerSecond: null,
    tokens: 0,
    promptTokens: 0,
    promptTokensEvaluated: 0,
    totalMs: performance.now() - startedAt,
    ...partial,
  });

  const requested = input.mode ?? policy.mode;
  const mode = chooseMode(requested, deps.chatModel !== undefined, verdict.extractive);
  // Without a model to combine passages, a middling match in a near tie is offered with its rivals, not given.
  const unsureVerbatim = verdict.answerable && mode === "extractive" && !verdict.verbatim;
  if (!verdict.answerable || unsureVerbatim) {
    const reason = unsureVerbatim ? "unsure" : (verdict.reason ?? "low-confidence");
    // Close entries but none sure enough: say so and offer them; nothing close: say no answer was found.
    const message = prompts[reason === "unsure" ? "unsure" : "no-answer"].render({ product: policy.product });
    const best = passages.slice(0, 3).map((p, i) => toAnswerSource(p, i + 1));
    const handsOff = policy.handoffAfterAbstentions > 0 && trailingAbstentions(history) + 1 >= policy.handoffAfterAbstentions;
    const handoff = handsOff ? prompts.handoff.render({ product: policy.product }) : undefined;
    const took = timing();
    // The turn holds what the customer is shown: a conversation read back (a widget reload) says the same.
    const [, answer] = await appendTurns(store, userTurn, {
      text: handoff === undefined ? message : abstentionWithHandoff(message, handoff),
      outcome: handoff === undefined ? "abstained" : "handoff",
      sources: best.map(toTurnSource),
      ...(handoff === undefined ? {} : { handoffReason: "repeated-abstentions" as const }),
      totalMs: took.totalMs,
    });
    yield { type: "abstained", reason, message, sources: best, turnId: answer.id, timing: took };
    if (handoff !== undefined) {
      await store.setStatus(conversationId, "handed-off");
      yield { type: "handoff", reason: "repeated-abstentions", message: handoff, turnId: answer.id };
    }
    return;
  }

  if (requested === "generative" && mode === "extractive") {
    yield { type: "notice", code: "MODEL_UNAVAILABLE", message: "Generative answers need a chat model (--model PATH, the config file's \"model\", or LLAMADESK_MODEL); answering extractively." };
  }
  if (mode === "extractive") {
    const best = passages[0]!;
    const source = toAnswerSource(best, 1);
    // Other questions nearly as good as the best: the answer is the best one's, and they are listed as related.
    const related = verdict.related.map((p, i) => toAnswerSource(p, i + 2));
    yield { type: "sources", sources: [source], question: condensed.question };
    const answerText = best.text.trim();
    const firstTokenAt = performance.now() - startedAt;
    yield { type: "token", text: answerText };
    const took = timing({ timeToFirstTokenMs: firstTokenAt });
    const [, answer] = await appendTurns(store, userTurn, {
      text: answerText,
      outcome: "answered",
      mode,
      sources: [toTurnSource(source), ...related.map((r) => ({ ...toTurnSource(r), related: true }))],
      timeToFirstTokenMs: firstTokenAt,
      totalMs: took.totalMs,
    });
    yield {
      type: "done",
      answer: answerText,
      mode,
      citations: [source],
      sources: [source],
      ...(related.length > 0 ? { related } : {}),
      turnId: answer.id,
      timing: took,
    };
    return;
  }

  yield* generate(input, deps, { history, passages, question: condensed.question, userTurn, timing });
}

interface GenerateContext {
  history: Turn[];
  passages: Passage[];
  question: string;
  userTurn: NewTurn;
  timing: (partial?: Partial<AnswerTiming>) => AnswerTiming;
}

async function* generate(input: AskInput, deps: AnswerDeps, ctx: GenerateContext): AsyncGenerator<BotEvent, void, undefined> {
  const { steps, policy } = deps;
  const chatModel = deps.chatModel!;
  const config = input.signal ? { signal: input.signal } : {};
  const { maxTokens, temperature, topP, ignoreEos } = policy.generation;
  // Passages that do not fit the model's context are dropped from the end (the least relevant) until the prompt fits.
  for (let keep = ctx.passages.length; ; keep--) {
    const prompt = await steps.prompt.invoke({ history: ctx.history, question: input.text, passages: ctx.passages.slice(0, keep) }, config);
    let stream: ChatStream;
    let iterator: AsyncIterator<string>;
    let first: IteratorResult<string>;
    try {
      stream = chatModel.stream(prompt.messages, {
        maxTokens,
        temperature,
        topP,
        ...(ignoreEos ? { ignoreEos } : {}),
        conversationKey: input.conversationId,
        ...(input.signal ? { signal: input.signal } : {}),
      });
      iterator = stream[Symbol.asyncIterator]();
      first = await iterator.next();
    } catch (error) {
      if (isLlamadeskError(error, "PROMPT_TOO_LONG") && keep > 1) continue;
      throw error;
    }
    yield { type: "sources", sources: prompt.sources, question: ctx.question };
    yield* finish(input, deps, ctx, prompt, stream, first, iterator);
    return;
  }
}

async function* finish(
  input: AskInput,
  deps: AnswerDeps,
  ctx: GenerateContext,
  prompt: AnswerMessages,
  stream: ChatStream,
  first: IteratorResult<string>,
  iterator: AsyncIterator<string>,
): AsyncGenerator<BotEvent, void, undefined> {
  const { steps, store, startedAt } = deps;
  const config = input.signal ? { signal: input.signal } : {};
  let firstTokenAt: number | null = null;
  let lastTokenAt = 0;
  let ended = false;
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      lastTokenAt = performance.now();
      firstTokenAt ??= lastTokenAt;
      yield { type: "token", text: next.value };
    }
    ended = true;
  } finally {
    // The consumer stopped reading: stop generating, so the model is free for the next request.
    if (!ended) await iterator.return?.();
  }
  const result: GenerationResult = await stream.result;
  const cited = await steps.cite.invoke({ answer: result.text, sources: prompt.citable }, config);
  const decodeSeconds = firstTokenAt === null ? 0 : (lastTokenAt - firstTokenAt) / 1000;
  const timing = ctx.timing({
    queueMs: result.queueMs,
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
    tokensPerSecond: decodeSeconds > 0 ? (result.tokens - 1) / decodeSeconds : null,
    tokens: result.tokens,
    promptTokens: result.promptTokens,
    promptTokensEvaluated: result.promptTokensEvaluated,
  });
  const [, answer] = await appendTurns(store, ctx.userTurn, {
    text: result.text.trim(),
    outcome: "answered",
    mode: "generative",
    // The sources given, in prompt order: the next turn rebuilds this prompt from them.
    sources: prompt.sources.map(toTurnSource),
    ...(timing.timeToFirstTokenMs === null ? {} : { timeToFirstTokenMs: timing.timeToFirstTokenMs }),
    totalMs: timing.totalMs,
  });
  yield {
    type: "done",
    answer: cited.text,
    mode: "generative",
    citations: cited.citations,
    sources: prompt.sources,
    turnId: answer.id,
    stopReason: result.stopReason,
    timing,
  };
}

/** `auto` answers verbatim when one FAQ entry clearly matches; without a chat model every answer is extractive. */
function chooseMode(requested: AnswerMode, hasModel: boolean, clearMatch: boolean): "generative" | "extractive" {
  if (!hasModel || requested === "extractive") return "extractive";
  if (requested === "generative") return "generative";
  return clearMatch ? "extractive" : "generative";
}

/** Abstentions at the end of the conversation, with no answer since. */
function trailingAbstentions(history: readonly Turn[]): number {
  let count = 0;
  for (const turn of [...history].reverse()) {
    if (turn.role === "user") continue;
    if (turn.outcome !== "abstained") break;
    count += 1;
  }
  return count;
}

/** The question and its answer are stored together, after the answer: an abandoned ask leaves no half-turn. */
async function appendTurns(store: ConversationStore, user: NewTurn, answer: Omit<NewTurn, "conversationId" | "role">): Promise<[Turn, Turn]> {
  const question = await store.appendTurn(user);
  const reply = await store.appendTurn({ conversationId: user.conversationId, role: "assistant", ...answer });
  return [question, reply];
}

/** Stored with the id of the chunk (what the next turn looks up), shown with its citation. */
function toTurnSource(s: AnswerSource): TurnSource {
  return { id: s.chunkId, title: s.title, source: s.source, score: s.score };
}

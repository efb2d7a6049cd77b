import { LlamadeskError } from "../errors.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface GenerateOptions {
  /** Most tokens to generate. Defaults to the model's default (`LlamaChatModel`: 512). */
  maxTokens?: number;
  /** Sampling temperature; `0` always picks the likeliest token. Defaults to the model's default (`LlamaChatModel`: 0.2). */
  temperature?: number;
  /** Nucleus sampling: sample from the likeliest tokens whose probabilities add up to `topP`. Defaults to the model's default (`LlamaChatModel`: 0.9). */
  topP?: number;
  /** Generation ends before any of these strings; the string itself is not emitted. Defaults to none. */
  stop?: string[];
  /**
   * For benchmarks: generate exactly `maxTokens` (as far as the context has room), never ending at the end-of-sequence
   * token or the prompt format's end-of-turn marker. `stop` strings still apply. Defaults to `false`.
   */
  ignoreEos?: boolean;
  /** Aborting stops generation: the stream throws `signal.reason` and the model moves on to the next request. */
  signal?: AbortSignal;
  /**
   * Names the conversation, so the model can keep its evaluated prefix (system prompt and the turns so far)
   * for the next turn instead of evaluating it again. Defaults to none: only a shared prefix is reused.
   */
  conversationKey?: string;
}

/** Why generation ended: end of the answer, the token limit, a stop string, or the consumer or a signal stopping it. */
export type StopReason = "eos" | "maxTokens" | "stop" | "abort";

export interface GenerationResult {
  /** The whole answer: every piece streamed, joined. */
  text: string;
  stopReason: StopReason;
  /** Tokens generated. */
  tokens: number;
  /** Tokens of the prompt the model saw (after any trimming). */
  promptTokens: number;
  /** Prompt tokens evaluated for this request. */
  promptTokensEvaluated: number;
  /** Prompt tokens whose evaluation was reused from an earlier request (`promptTokens - promptTokensEvaluated`). */
  promptTokensReused: number;
  /** Oldest messages (after the system message) left out so the conversation fits the context. */
  droppedMessages: number;
  /** Time spent waiting for the model to be free. */
  queueMs: number;
  /** From the start of iteration (queue included) to the first piece; `null` if nothing was generated. */
  timeToFirstTokenMs: number | null;
  /** From the start of iteration to the end of generation. */
  totalMs: number;
}

/** Text pieces as they are generated. Iterate it once. */
export interface ChatStream extends AsyncIterable<string> {
  /**
   * Settles when generation ends: resolves with the result (also when the consumer stops iterating early,
   * with `stopReason: "abort"`), or rejects with the error the iteration threw.
   * Generation starts on the first iteration, so this never settles for a stream nobody iterates.
   */
  readonly result: Promise<GenerationResult>;
}

/** The chat model the answer pipeline talks to: messages in, a stream of text pieces out. */
export interface ChatModel {
  /** Names the model and its settings, e.g. for caches and logs. */
  readonly id: string;
  stream(messages: readonly ChatMessage[], options?: GenerateOptions): ChatStream;
  dispose(): Promise<void>;
}

/**
 * Generation behind a `ChatStream`: emits pieces, returns the result, and stops soon after `signal` aborts
 * (returning a partial result or throwing). `signal` aborts when the caller's signal does or the consumer stops iterating.
 */
export type ChatGeneration = (emit: (piece: string) => void, signal: AbortSignal) => Promise<GenerationResult>;

/**
 * Builds a `ChatStream` around a generation, with the semantics every `ChatModel` shares: lazy start, one
 * iteration, a caller's abort rejects at once with `signal.reason`, an early `break` stops the generation.
 */
export function createChatStream(generate: ChatGeneration, callerSignal?: AbortSignal): ChatStream {
  let resolveResult!: (result: GenerationResult) => void;
  let rejectResult!: (error: unknown) => void;
  const result = new Promise<GenerationResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // The iteration throws the same error; without a handler here Node would also report it as unhandled.
  result.catch(() => {});
  let iterated = false;

  async function* iterate(): AsyncGenerator<string> {
    if (iterated) throw new LlamadeskError("INVALID_OPTION", "A chat stream can be iterated only once; call stream() again.");
    iterated = true;
    const controller = new AbortController();
    const pieces: string[] = [];
    let wake: (() => void) | undefined;
    let outcome: { ok: true; value: GenerationResult } | { ok: false; error: unknown } | undefined;
    const onAbort = () => {
      controller.abort(callerSignal?.reason);
      wake?.();
    };
    if (callerSignal?.aborted) onAbort();
    else callerSignal?.addEventListener("abort", onAbort, { once: true });

    const task = generate((piece) => {
      if (piece === "" || outcome !== undefined) return;
      pieces.push(piece);
      wake?.();
    }, controller.signal).then(
      (value) => void (outcome = { ok: true, value }),
      (error: unknown) => void (outcome = { ok: false, error }),
    );
    void task.finally(() => wake?.());

    try {
      for (;;) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        const piece = pieces.shift();
        if (piece !== undefined) yield piece;
        else if (outcome !== undefined) break;
        else await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (!outcome.ok) throw outcome.error;
      resolveResult(outcome.value);
    } catch (error) {
      rejectResult(error);
      throw error;
    } finally {
      callerSignal?.removeEventListener("abort", onAbort);
      if (outcome === undefined) {
        // The consumer stopped early (or the caller aborted): stop generating; the result settles when it has.
        controller.abort(callerSignal?.reason ?? new DOMException("The consumer stopped reading the stream.", "AbortError"));
        void task.then(() => (outcome!.ok ? resolveResult(outcome!.value) : rejectResult(outcome!.error)));
      } else if (outcome.ok) {
        // Generation had ended before the consumer stopped reading its pieces: the result is the whole generation
        // (settling twice is a no-op when the loop already did).
        resolveResult(outcome.value);
      }
    }
  }

  return { result, [Symbol.asyncIterator]: iterate };
}

/** Checks what every `ChatModel` needs: known roles, the last message from the user, sane options. */
export function assertChatRequest(messages: readonly ChatMessage[], options: GenerateOptions): void {
  const { maxTokens, temperature, topP } = options;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) badOption("maxTokens", "a whole number of at least 1", maxTokens);
  if (temperature !== undefined && !(temperature >= 0)) badOption("temperature", "0 or more", temperature);
  if (options.ignoreEos !== undefined && typeof options.ignoreEos !== "boolean") badOption("ignoreEos", "true or false", options.ignoreEos);
  if (topP !== undefined && !(topP > 0 && topP <= 1)) badOption("topP", "more than 0 and at most 1", topP);
  if (options.stop !== undefined && !(Array.isArray(options.stop) && options.stop.every((s) => typeof s === "string" && s !== ""))) {
    badOption("stop", "a list of non-empty strings", options.stop);
  }
  for (const [i, m] of messages.entries()) {
    if (m.role !== "system" && m.role !== "user" && m.role !== "assistant") {
      throw new LlamadeskError("INVALID_OPTION", `messages[${i}].role must be "system", "user" or "assistant", got ${JSON.stringify(m.role)}.`);
    }
    if (typeof m.content !== "string") throw new LlamadeskError("INVALID_OPTION", `messages[${i}].content must be a string.`);
  }
  const last = messages[messages.length - 1];
  if (last?.role !== "user") {
    throw new LlamadeskError(
      "INVALID_OPTION",
      `messages must end with a user message (the question to answer); got ${last === undefined ? "none" : `a last message from "${last.role}"`}.`,
    );
  }
}

function badOption(field: string, expected: string, value: unknown): never {
  throw new LlamadeskError("INVALID_OPTION", `${field} must be ${expected}, got ${JSON.stringify(value)}.`);
}

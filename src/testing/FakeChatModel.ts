import { setTimeout as sleep } from "node:timers/promises";
import { assertChatRequest, createChatStream, type ChatMessage, type ChatModel, type ChatStream, type GenerateOptions, type StopReason } from "../model/ChatModel.js";

export interface FakeChatModelOptions {
  /**
   * What to answer: a list used in turn (the last one repeats), or a function of the call.
   * Defaults to `["This is a scripted answer."]`.
   */
  answers?: readonly string[] | ((messages: readonly ChatMessage[], options: GenerateOptions) => string);
  /** Pause before each piece, to test streaming, queuing and aborts. Defaults to `0`. */
  delayMs?: number;
  /** Defaults to `"fake-chat"`. */
  id?: string;
  /** `maxTokens` when a call sets none. Defaults to `512`. */
  maxTokens?: number;
}

export interface FakeChatCall {
  messages: ChatMessage[];
  options: Omit<GenerateOptions, "signal">;
}

/**
 * A scripted chat model for tests: streams its answers a word at a time (one "token" is a word with the
 * spaces before it), honours `maxTokens`, `stop`, `ignoreEos` (repeating the answer) and `signal` like a real
 * model, and records every call.
 */
export class FakeChatModel implements ChatModel {
  readonly id: string;
  /** Every call to `stream`, in order (iterated or not). */
  readonly calls: FakeChatCall[] = [];
  /** How each call's generation ended, at its index in `calls` (`"abort"` when cancelled); unset until it ends. */
  readonly stopReasons: StopReason[] = [];
  private readonly options: FakeChatModelOptions;
  private answered = 0;
  disposed = false;

  constructor(options: FakeChatModelOptions = {}) {
    this.options = options;
    this.id = options.id ?? "fake-chat";
  }

  stream(messages: readonly ChatMessage[], options: GenerateOptions = {}): ChatStream {
    assertChatRequest(messages, options);
    const { signal: _signal, ...recorded } = options;
    const index = this.calls.push({ messages: messages.map((m) => ({ ...m })), options: recorded }) - 1;
    const answer = this.nextAnswer(messages, options);
    return createChatStream(async (emit, signal) => {
      const startedAt = performance.now();
      let text = answer;
      let stopReason: StopReason = "eos";
      for (const stop of options.stop ?? []) {
        const at = text.indexOf(stop);
        if (stop !== "" && at !== -1) [text, stopReason] = [text.slice(0, at), "stop"];
      }
      const words = text.match(/\s*\S+/g) ?? [];
      const pieces = [...words];
      const maxTokens = options.maxTokens ?? this.options.maxTokens ?? 512;
      // ignoreEos: the answer's words again and again, up to maxTokens (a stop string still ends it).
      if (options.ignoreEos && stopReason === "eos" && words.length > 0) {
        const again = words.map((w, i) => (i === 0 && !/^\s/.test(w) ? ` ${w}` : w));
        while (pieces.length < maxTokens) pieces.push(...again);
        stopReason = "maxTokens";
      }
      if (pieces.length > maxTokens) [pieces.length, stopReason] = [maxTokens, "maxTokens"];
      let emitted = "";
      let firstAt: number | null = null;
      for (const piece of pieces) {
        if (this.options.delayMs) await sleep(this.options.delayMs, undefined, { signal }).catch(() => {});
        if (signal.aborted) {
          stopReason = "abort";
          break;
        }
        firstAt ??= performance.now() - startedAt;
        emitted += piece;
        emit(piece);
      }
      this.stopReasons[index] = stopReason;
      const promptTokens = messages.reduce((n, m) => n + (m.content.match(/\S+/g)?.length ?? 0), 0);
      return {
        text: emitted,
        stopReason,
        tokens: emitted.match(/\S+/g)?.length ?? 0,
        promptTokens,
        promptTokensEvaluated: promptTokens,
        promptTokensReused: 0,
        droppedMessages: 0,
        queueMs: 0,
        timeToFirstTokenMs: firstAt,
        totalMs: performance.now() - startedAt,
      };
    }, options.signal);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private nextAnswer(messages: readonly ChatMessage[], options: GenerateOptions): string {
    const answers = this.options.answers ?? ["This is a scripted answer."];
    if (typeof answers === "function") return answers(messages, options);
    const answer = answers[Math.min(this.answered, answers.length - 1)] ?? "";
    this.answered++;
    return answer;
  }
}

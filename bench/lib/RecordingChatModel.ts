import type { ChatMessage, ChatModel, ChatStream, GenerateOptions } from "../../src/model/ChatModel.js";

export interface RecordedRequest {
  messages: ChatMessage[];
  /** The options the caller passed (before `defaults` were added). */
  options: Omit<GenerateOptions, "signal">;
}

/**
 * Wraps a chat model for a bench: records every request (so a baseline can replay the exact prompt the bot sent)
 * and fills in options the caller left unset. Disposing it leaves the wrapped model alone: the bench owns that.
 */
export class RecordingChatModel implements ChatModel {
  readonly requests: RecordedRequest[] = [];

  constructor(
    private readonly inner: ChatModel,
    private readonly defaults: GenerateOptions = {},
  ) {}

  get id(): string {
    return this.inner.id;
  }

  stream(messages: readonly ChatMessage[], options: GenerateOptions = {}): ChatStream {
    const { signal: _signal, ...recorded } = options;
    this.requests.push({ messages: messages.map((m) => ({ ...m })), options: recorded });
    const set = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    return this.inner.stream(messages, { ...this.defaults, ...set });
  }

  async dispose(): Promise<void> {}
}

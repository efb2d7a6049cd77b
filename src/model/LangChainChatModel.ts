import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type LangSmithParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, ChatMessage as GenericMessage, type BaseMessage, type UsageMetadata } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { LlamadeskError } from "../errors.js";
import { assertChatRequest, type ChatMessage, type ChatModel, type ChatStream, type GenerateOptions, type GenerationResult, type StopReason } from "./ChatModel.js";

/** Sampling for calls that do not set their own. Each defaults to the wrapped model's own default. */
export type LlamadeskChatModelDefaults = Pick<GenerateOptions, "maxTokens" | "temperature" | "topP" | "stop">;

export interface LlamadeskChatModelCallOptions extends BaseChatModelCallOptions {
  /** Most tokens to generate. Defaults to the model's `maxTokens` default. */
  maxTokens?: number;
  /** Sampling temperature. Defaults to the model's `temperature` default. */
  temperature?: number;
  /** Nucleus sampling. Defaults to the model's `topP` default. */
  topP?: number;
  /**
   * Names the conversation, so the model keeps its evaluated prefix for the next turn (see `GenerateOptions`).
   * In a chain, bind it with `model.withConfig({ conversationKey })`. Defaults to none.
   */
  conversationKey?: string;
}

export interface LlamadeskChatModelInput extends BaseChatModelParams, LlamadeskChatModelDefaults {
  /** The llamadesk chat model to run, e.g. a `LlamaChatModel`. Not owned: dispose it yourself. */
  chatModel: ChatModel;
}

/** What `response_metadata` (and `generationInfo`) carries: the generation's result without its text, in LangChain's terms too. */
export type LlamadeskResponseMetadata = Omit<GenerationResult, "text"> & { model_name: string; finish_reason: "stop" | "length" | "abort" };

const FINISH_REASONS: Record<StopReason, LlamadeskResponseMetadata["finish_reason"]> = { eos: "stop", stop: "stop", maxTokens: "length", abort: "abort" };

/** LangChain's generic `ChatMessage` roles that have a llamadesk counterpart. */
const GENERIC_ROLES: Record<string, ChatMessage["role"]> = { system: "system", user: "user", human: "user", assistant: "assistant", ai: "assistant" };

/**
 * A llamadesk `ChatModel` as a LangChain chat model, so it composes in LangChain runnables
 * (`prompt.pipe(model).pipe(new StringOutputParser())`). Each call is one `chatModel.stream()`: the model keeps
 * its own queue, prefix reuse (with the `conversationKey` call option), context trimming and stop handling.
 * Results carry token usage in `usage_metadata` and the generation's figures in `response_metadata`.
 */
export class LlamadeskChatModel extends BaseChatModel<LlamadeskChatModelCallOptions> {
  readonly chatModel: ChatModel;
  readonly defaults: LlamadeskChatModelDefaults;

  static override lc_name(): string {
    return "LlamadeskChatModel";
  }

  constructor(input: LlamadeskChatModelInput) {
    const { chatModel, maxTokens, temperature, topP, stop, ...params } = input;
    super(params);
    this.chatModel = chatModel;
    this.defaults = Object.fromEntries(Object.entries({ maxTokens, temperature, topP, stop }).filter(([, v]) => v !== undefined));
    // Reports a bad default now, naming the field, rather than on the first call.
    assertChatRequest([{ role: "user", content: "" }], this.defaults);
  }

  override get callKeys(): string[] {
    return [...super.callKeys, "maxTokens", "temperature", "topP", "conversationKey"];
  }

  _llmType(): string {
    return "llamadesk";
  }

  /** Part of LangChain's cache key, so cached answers of one model never answer for another. */
  override _identifyingParams(): Record<string, unknown> {
    return { model: this.chatModel.id, ...this.defaults };
  }

  override invocationParams(options?: this["ParsedCallOptions"]): Omit<GenerateOptions, "signal"> & { model: string } {
    const { signal: _signal, ...params } = this.generateOptions(options ?? {});
    return { model: this.chatModel.id, ...params };
  }

  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    const params = this.generateOptions(options);
    return {
      ls_provider: "llamadesk",
      ls_model_name: this.chatModel.id,
      ls_model_type: "chat",
      ...(params.temperature === undefined ? {} : { ls_temperature: params.temperature }),
      ...(params.maxTokens === undefined ? {} : { ls_max_tokens: params.maxTokens }),
      ...(params.stop === undefined ? {} : { ls_stop: params.stop }),
    };
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const stream = this.open(messages, options);
    // Streamed underneath, so token callbacks fire during invoke() too.
    for await (const piece of stream) await runManager?.handleLLMNewToken(piece);
    const result = await stream.result;
    const info = this.metadataOf(result);
    const message = new AIMessage({ content: result.text, usage_metadata: usageOf(result), response_metadata: info });
    return {
      generations: [{ text: result.text, message, generationInfo: info }],
      llmOutput: { tokenUsage: { promptTokens: result.promptTokens, completionTokens: result.tokens, totalTokens: result.promptTokens + result.tokens } },
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    // Stopping iteration early (break, or LangChain's signal check) returns this generator, whose
    // for-await returns the ChatStream, which stops the generation and frees the model.
    const stream = this.open(messages, options);
    for await (const piece of stream) {
      const chunk = new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
      yield chunk;
    }
    const result = await stream.result;
    const info = this.metadataOf(result);
    // The figures ride on a last, empty chunk: they are known only at the end, and concatenating chunks adds them once.
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({ content: "", usage_metadata: usageOf(result), response_metadata: info }),
      generationInfo: info,
    });
  }

  private open(messages: BaseMessage[], options: this["ParsedCallOptions"]): ChatStream {
    return this.chatModel.stream(messages.map(toChatMessage), this.generateOptions(options));
  }

  /** A call's options over the defaults; left out, the wrapped model's own defaults apply. */
  private generateOptions(options: Partial<this["ParsedCallOptions"]>): GenerateOptions {
    const resolved: GenerateOptions = {
      maxTokens: options.maxTokens ?? this.defaults.maxTokens,
      temperature: options.temperature ?? this.defaults.temperature,
      topP: options.topP ?? this.defaults.topP,
      stop: options.stop ?? this.defaults.stop,
      signal: options.signal,
      conversationKey: options.conversationKey,
    };
    return Object.fromEntries(Object.entries(resolved).filter(([, v]) => v !== undefined));
  }

  private metadataOf({ text: _text, ...result }: GenerationResult): LlamadeskResponseMetadata {
    return { ...result, model_name: this.chatModel.id, finish_reason: FINISH_REASONS[result.stopReason] };
  }
}

/** A llamadesk chat model as a LangChain chat model; `defaults` apply to calls that do not set their own. */
export function toLangChainChatModel(chatModel: ChatModel, defaults: LlamadeskChatModelDefaults = {}): LlamadeskChatModel {
  return new LlamadeskChatModel({ chatModel, ...defaults });
}

function toChatMessage(message: BaseMessage, index: number): ChatMessage {
  const type = message.type;
  const role =
    type === "system" ? "system" : type === "human" ? "user" : type === "ai" ? "assistant" : GenericMessage.isInstance(message) ? GENERIC_ROLES[message.role] : undefined;
  if (role === undefined) {
    const what = GenericMessage.isInstance(message) ? `a chat message with role "${message.role}"` : `a ${type} message`;
    throw new LlamadeskError(
      "INVALID_OPTION",
      `messages[${index}] is ${what}; llamadesk chat models take system, human and AI messages only. ` +
        "Run tools outside the model and pass what they returned as text in a human or system message.",
    );
  }
  if (AIMessage.isInstance(message) && (message.tool_calls?.length ?? 0) > 0) {
    throw new LlamadeskError(
      "INVALID_OPTION",
      `messages[${index}] is an AI message with tool calls, which llamadesk chat models cannot read or make. Pass the AI message's text only.`,
    );
  }
  return { role, content: textOf(message, index) };
}

/** The message's text; a content block other than text (an image, a file) is an error rather than silently dropped. */
function textOf(message: BaseMessage, index: number): string {
  const { content } = message;
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (typeof block === "string") return block;
      if (block.type === "text" && typeof block.text === "string") return block.text;
      throw new LlamadeskError(
        "INVALID_OPTION",
        `messages[${index}] has a "${String(block.type)}" content block; llamadesk chat models read text only. Send text content (e.g. a string).`,
      );
    })
    .join("");
}

function usageOf(result: GenerationResult): UsageMetadata {
  return {
    input_tokens: result.promptTokens,
    output_tokens: result.tokens,
    total_tokens: result.promptTokens + result.tokens,
    input_token_details: { cache_read: result.promptTokensReused },
  };
}

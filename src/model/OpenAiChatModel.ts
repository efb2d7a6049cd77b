import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { LlamadeskError } from "../errors.js";
import { assertChatRequest, createChatStream, type ChatMessage, type ChatModel, type ChatStream, type GenerateOptions, type GenerationResult, type StopReason } from "./ChatModel.js";
import { neutralizeControlText } from "./neutralizeControlText.js";
import { OpenAiEndpoint, type OpenAiEndpointOptions } from "./OpenAiEndpoint.js";

export interface OpenAiChatModelOptions extends OpenAiEndpointOptions {
  /** The model to ask for (`model` in the request). Defaults to the first model the server lists at `GET /v1/models`. */
  model?: string | undefined;
  /**
   * Break Llama 2's `[INST]`/`<<SYS>>` and Alpaca's `### Instruction:` markers in message text, as the local model
   * does: the server applies the same template. Defaults to `true` for a model whose name says Llama, Mistral,
   * Mixtral, Vicuna or Alpaca, else `false`.
   */
  neutralizeControlText?: boolean | undefined;
  /** Sampling for requests that do not set their own. Defaults to `{ maxTokens: 512, temperature: 0.2, topP: 0.9, stop: [] }`. */
  defaults?: Pick<GenerateOptions, "maxTokens" | "temperature" | "topP" | "stop"> | undefined;
}

const DEFAULTS = { maxTokens: 512, temperature: 0.2, topP: 0.9, stop: [] as string[] };
const TEMPLATED_FAMILIES = /llama|mistral|mixtral|vicuna|alpaca/i;

/**
 * A chat model on an OpenAI-compatible inference server (vLLM, llama.cpp's llama-server, Ollama, TGI, or a hosted
 * API): each request streams `/v1/chat/completions`. The server keeps the queue and the prompt cache; the messages
 * go as they are, so a conversation's earlier turns form the same prefix each time and the server's prefix cache
 * (vLLM's automatic prefix caching, llama.cpp's `cache_prompt`) reuses them.
 */
export class OpenAiChatModel implements ChatModel {
  readonly id: string;
  readonly endpoint: OpenAiEndpoint;
  private readonly defaults: typeof DEFAULTS;
  private modelName: Promise<string> | undefined;

  constructor(private readonly options: OpenAiChatModelOptions) {
    this.endpoint = new OpenAiEndpoint(options);
    if (options.model !== undefined && options.model.trim() === "") throw new LlamadeskError("INVALID_OPTION", "model must be a model name the server serves, or left out.");
    if (options.defaults) assertChatRequest([{ role: "user", content: "" }], options.defaults);
    this.defaults = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options.defaults ?? {}).filter(([, v]) => v !== undefined)) };
    this.id = `openai:${this.endpoint.where}:${options.model ?? "default"}`;
    if (options.model !== undefined) this.modelName = Promise.resolve(options.model);
  }

  /** The model requests ask for: the one given, else the first the server lists (asked once, again after a failure). */
  model(signal?: AbortSignal): Promise<string> {
    this.modelName ??= this.endpoint
      .withRetries("GET /v1/models", async () => (await this.endpoint.client.models.list({ signal: signal ?? null })).data, signal)
      .then((models) => {
        const first = models[0]?.id;
        if (first === undefined) throw new LlamadeskError("MODEL_BAD_RESPONSE", `${this.endpoint.baseUrl}/models lists no model. Load a model on the server, or name one with --model-name.`);
        return first;
      });
    const name = this.modelName;
    name.catch(() => {
      if (this.modelName === name) this.modelName = undefined;
    });
    return name;
  }

  stream(messages: readonly ChatMessage[], options: GenerateOptions = {}): ChatStream {
    assertChatRequest(messages, options);
    const startedAt = performance.now();
    return createChatStream((emit, signal) => this.run([...messages], options, emit, signal, startedAt), options.signal);
  }

  async dispose(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async run(messages: ChatMessage[], options: GenerateOptions, emit: (piece: string) => void, signal: AbortSignal, startedAt: number): Promise<GenerationResult> {
    const model = await this.model(signal);
    const neutralize = this.options.neutralizeControlText ?? TEMPLATED_FAMILIES.test(model);
    const stop = options.stop ?? this.defaults.stop;
    const body: ChatCompletionCreateParamsStreaming = {
      model,
      messages: messages.map((m) => ({ role: m.role, content: neutralize ? neutralizeControlText(m.content) : m.content })),
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: options.maxTokens ?? this.defaults.maxTokens,
      temperature: options.temperature ?? this.defaults.temperature,
      top_p: options.topP ?? this.defaults.topP,
      ...(stop.length > 0 ? { stop } : {}),
      // vLLM's and llama.cpp's name for generating past the end-of-sequence token; only benchmarks ask for it.
      ...(options.ignoreEos ? ({ ignore_eos: true } as object) : {}),
    };
    // Stops a stream that goes quiet; also closes the HTTP stream when the caller aborts.
    const idle = new AbortController();
    const requestSignal = AbortSignal.any([signal, idle.signal]);
    const what = `POST /chat/completions (model ${model})`;
    const chunks = await this.endpoint.withRetries(what, () => this.endpoint.client.chat.completions.create(body, { signal: requestSignal }), requestSignal);

    let text = "";
    let pieces = 0;
    let firstAt: number | null = null;
    let finish: string | null = null;
    let matchedStop: unknown;
    let usage: ChatCompletionChunk["usage"];
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), this.endpoint.timeoutMs);
    };
    try {
      arm();
      for await (const chunk of chunks) {
        arm();
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (choice === undefined) continue;
        const piece = choice.delta?.content ?? "";
        if (piece !== "") {
          firstAt ??= performance.now() - startedAt;
          text += piece;
          pieces++;
          emit(piece);
        }
        if (choice.finish_reason) {
          finish = choice.finish_reason;
          // vLLM names the stop string that ended the answer.
          matchedStop = (choice as { stop_reason?: unknown }).stop_reason;
        }
      }
    } catch (error) {
      if (signal.aborted) return this.result({ text, stopReason: "abort", pieces, usage, firstAt, startedAt });
      if (idle.signal.aborted) throw this.stalled(what, error);
      throw streamError(this.endpoint.toModelError(error, what), what, this.endpoint.baseUrl, text);
    } finally {
      clearTimeout(timer);
    }
    if (signal.aborted) return this.result({ text, stopReason: "abort", pieces, usage, firstAt, startedAt });
    // The client ends an aborted stream quietly.
    if (idle.signal.aborted) throw this.stalled(what);
    if (finish === null) {
      throw new LlamadeskError(
        "MODEL_BAD_RESPONSE",
        `${what} at ${this.endpoint.baseUrl}: the stream ended before the answer finished (no finish_reason, after ${text.length} characters). Check the server's log; a proxy in between may cut long responses.`,
      );
    }
    return this.result({ text, stopReason: stopReasonOf(finish, matchedStop, stop), pieces, usage, firstAt, startedAt });
  }

  private stalled(what: string, cause?: unknown): LlamadeskError {
    return new LlamadeskError(
      "MODEL_UNREACHABLE",
      `${what} at ${this.endpoint.baseUrl}: the answer stopped coming (nothing for ${Number((this.endpoint.timeoutMs / 1000).toFixed(1))} s). Check that the server is running and not overloaded, or allow more time (timeoutMs).`,
      cause === undefined ? {} : { cause },
    );
  }

  private result(r: { text: string; stopReason: StopReason; pieces: number; usage: ChatCompletionChunk["usage"]; firstAt: number | null; startedAt: number }): GenerationResult {
    const promptTokens = r.usage?.prompt_tokens ?? 0;
    const reused = Math.min(promptTokens, r.usage?.prompt_tokens_details?.cached_tokens ?? 0);
    return {
      text: r.text,
      stopReason: r.stopReason,
      // Servers send one piece per token; the usage chunk, when sent, has the exact count.
      tokens: r.usage?.completion_tokens ?? r.pieces,
      promptTokens,
      promptTokensEvaluated: promptTokens - reused,
      promptTokensReused: reused,
      droppedMessages: 0,
      queueMs: 0,
      timeToFirstTokenMs: r.firstAt,
      totalMs: performance.now() - r.startedAt,
    };
  }
}

function stopReasonOf(finish: string, matchedStop: unknown, stop: string[]): StopReason {
  if (finish === "length") return "maxTokens";
  if (typeof matchedStop === "string" && stop.includes(matchedStop)) return "stop";
  return "eos";
}

/** An error in the middle of a stream: the connection dropped, or the server sent an error event or bad JSON. */
function streamError(coded: LlamadeskError, what: string, baseUrl: string, text: string): LlamadeskError {
  if (coded.code !== "MODEL_BAD_RESPONSE" && coded.code !== "MODEL_UNREACHABLE") return coded;
  const cause = coded.cause instanceof Error ? coded.cause.message : coded.message;
  return new LlamadeskError(
    "MODEL_BAD_RESPONSE",
    `${what} at ${baseUrl}: the stream broke after ${text.length} characters of the answer (${cause}). Check the server's log, and any proxy in between.`,
    { cause: coded },
  );
}

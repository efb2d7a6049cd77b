import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import {
  AlpacaChatWrapper,
  getLlama,
  Llama2ChatWrapper,
  LlamaChat,
  resolveChatWrapper,
  SpecialToken,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaGpuType,
  type LlamaModel,
  type TokenBias,
} from "node-llama-cpp";
import { LlamadeskError } from "../errors.js";
import { assertChatRequest, createChatStream, type ChatMessage, type ChatModel, type ChatStream, type GenerateOptions, type GenerationResult, type StopReason } from "./ChatModel.js";
import { banEndOfGeneration } from "./banEndOfGeneration.js";
import { Llama2ReferenceChatWrapper } from "./Llama2ReferenceChatWrapper.js";
import { neutralizeControlText } from "./neutralizeControlText.js";
import { SequencePool, type PoolSlot } from "./SequencePool.js";

export type ChatFormat = "llama2" | "alpaca" | "auto";

export interface LlamaChatModelOptions {
  /** A chat GGUF file, e.g. `llama-2-7b-chat.Q4_K_M.gguf`. */
  modelPath: string;
  /**
   * Prompt format: `"llama2"` (Llama 2-Chat's `[INST]`/`<<SYS>>`), `"alpaca"` (`### Instruction:`/`### Response:`),
   * or `"auto"` (from the GGUF's chat template and name). Defaults to `"llama2"`.
   */
  format?: ChatFormat;
  /** Tokens one conversation holds, prompt and answer together (each sequence has its own). Defaults to the model's training context size, capped at 4096. */
  contextSize?: number;
  /** CPU threads. Defaults to the machine's math cores (`llama.cpuMathCores`): node-llama-cpp's default, at least 4, crawls on 2-core machines. */
  threads?: number;
  /** Conversations generated at once, as parallel sequences of one context (memory grows with each). Defaults to `1`: requests queue first in, first out. */
  sequences?: number;
  /** A LoRA adapter (GGUF) applied on top of the model. Defaults to none. */
  loraPath?: string;
  /** GPU to use when `llama` is not given. Defaults to `"auto"` (the best one found; the CPU if none). */
  gpu?: "auto" | LlamaGpuType;
  /** Sampling for requests that do not set their own. Defaults to `{ maxTokens: 512, temperature: 0.2, topP: 0.9, stop: [] }`. */
  defaults?: Pick<GenerateOptions, "maxTokens" | "temperature" | "topP" | "stop">;
  /** The llama.cpp binding. Defaults to a new `getLlama()` that never builds or downloads, freed by `dispose()`. */
  llama?: Llama;
}

/** A sequence of the context, and where the conversation it holds was cut to fit. */
interface Sequence {
  chat: LlamaChat;
  /** Messages after the system message left out of that conversation's prompt, kept so its prefix stays stable. */
  keptFrom: number;
}

const DEFAULTS = { maxTokens: 512, temperature: 0.2, topP: 0.9, stop: [] as string[] };

/**
 * The local chat model: a GGUF run by llama.cpp through node-llama-cpp. One context serves every request;
 * its sequences hold conversations' evaluated prompts, so a follow-up turn evaluates only what is new.
 * Requests wait first in, first out for a free sequence; a failing one resets its sequence and fails alone.
 */
export class LlamaChatModel implements ChatModel {
  readonly id: string;
  readonly format: ChatFormat;
  /** Tokens one conversation can hold. */
  readonly contextSize: number;
  readonly chatWrapper: ChatWrapper;
  private readonly pool: SequencePool<Sequence>;
  private readonly defaults: typeof DEFAULTS;
  private readonly formatStops: string[];
  /** For `ignoreEos`; made on first use. */
  private eosBan: TokenBias | undefined;
  private disposed = false;

  private constructor(
    private readonly init: { id: string; format: ChatFormat; llama: Llama; ownsLlama: boolean; model: LlamaModel; context: LlamaContext },
    options: LlamaChatModelOptions,
  ) {
    const { model, context } = init;
    this.id = init.id;
    this.format = init.format;
    this.contextSize = context.contextSize;
    this.chatWrapper = chatWrapperFor(model, init.format);
    // A Llama 2 model that starts a new [INST] turn has finished its answer (langchainjs#7618 streamed on through them).
    this.formatStops = this.chatWrapper instanceof Llama2ChatWrapper ? ["[INST]"] : [];
    this.defaults = { ...DEFAULTS, ...withoutUndefined(options.defaults ?? {}) };
    // A fixed pool: getSequence() per request is what ran ChatLlamaCpp out of KV slots (langchainjs#5481).
    this.pool = new SequencePool(
      Array.from({ length: context.totalSequences }, () => ({
        chat: new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: this.chatWrapper }),
        keptFrom: 0,
      })),
    );
  }

  /** Loads the model and creates its context. */
  static async create(options: LlamaChatModelOptions): Promise<LlamaChatModel> {
    const format = options.format ?? "llama2";
    if (!["llama2", "alpaca", "auto"].includes(format)) invalid("format", `"llama2", "alpaca" or "auto"`, format);
    for (const field of ["contextSize", "threads", "sequences"] as const) {
      const value = options[field];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) invalid(field, "a whole number of at least 1", value);
    }
    const modelPath = path.resolve(options.modelPath);
    const size = await fileSize(modelPath, "Chat model", "Download a Llama 2-Chat GGUF (e.g. llama-2-7b-chat.Q4_K_M.gguf) and pass its path as modelPath.");
    const loraPath = options.loraPath === undefined ? undefined : path.resolve(options.loraPath);
    if (loraPath !== undefined) await fileSize(loraPath, "LoRA adapter", "Pass the path of a GGUF LoRA adapter made for this model, or leave loraPath out.");
    const ownsLlama = options.llama === undefined;
    let llama: Llama | undefined = options.llama;
    let model: LlamaModel | undefined;
    try {
      llama ??= await getLlama({ gpu: options.gpu ?? "auto", build: "never", skipDownload: true });
      model = await llama.loadModel({ modelPath });
      const context = await model.createContext({
        contextSize: options.contextSize ?? Math.min(model.trainContextSize, 4096),
        sequences: options.sequences ?? 1,
        threads: options.threads ?? llama.cpuMathCores,
        ...(loraPath === undefined ? {} : { lora: loraPath }),
      });
      const name = String(model.fileInfo.metadata.general?.name ?? path.basename(modelPath, ".gguf"));
      const lora = loraPath === undefined ? "" : `+${path.basename(loraPath, ".gguf")}`;
      const hash = createHash("sha256").update(`${size}:${name}:${loraPath ?? ""}`).digest("hex").slice(0, 8);
      const id = `gguf:${name.trim().replace(/[\s:]+/g, "-") || "model"}${lora}:${format}:${hash}`;
      return new LlamaChatModel({ id, format, llama, ownsLlama, model, context }, options);
    } catch (cause) {
      await model?.dispose();
      if (ownsLlama) await llama?.dispose();
      const what = loraPath === undefined ? modelPath : `${modelPath} with the LoRA adapter ${loraPath}`;
      throw new LlamadeskError(
        "MODEL_FAILED",
        `Could not load ${what}: ${(cause as Error).message}. ` +
          "Check that the file is a complete GGUF chat model (re-download it if in doubt) and that the machine has the memory for it.",
        { cause },
      );
    }
  }

  stream(messages: readonly ChatMessage[], options: GenerateOptions = {}): ChatStream {
    if (this.disposed) throw new LlamadeskError("MODEL_FAILED", `${this.id} was disposed; create a new LlamaChatModel.`);
    assertChatRequest(messages, options);
    const history = [...messages];
    return createChatStream((emit, signal) => this.run(history, options, emit, signal, performance.now()), options.signal);
  }

  /** The prompt the model would see for `messages` (untrimmed): `<s>`/`</s>` mark BOS/EOS tokens, which message text can never produce. */
  renderPrompt(messages: readonly ChatMessage[]): { text: string; tokens: number[] } {
    const { contextText } = this.chatWrapper.generateContextState({ chatHistory: toHistory(messages) });
    const text = contextText.values
      .map((v) => (v instanceof SpecialToken ? (v.value === "BOS" ? "<s>" : v.value === "EOS" ? "</s>" : `<${v.value}>`) : String(v)))
      .join("");
    return { text, tokens: contextText.tokenize(this.init.model.tokenizer) };
  }

  /** Tokens of `text` as message text (special-token markers stay text). */
  tokenize(text: string): number[] {
    return this.init.model.tokenize(text, false);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.failWaiting(new LlamadeskError("MODEL_FAILED", `${this.id} was disposed before this request got a turn.`));
    await this.init.context.dispose();
    await this.init.model.dispose();
    if (this.init.ownsLlama) await this.init.llama.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async run(messages: ChatMessage[], options: GenerateOptions, emit: (piece: string) => void, signal: AbortSignal, startedAt: number): Promise<GenerationResult> {
    const key = options.conversationKey;
    const slot = await this.pool.acquire(key, signal);
    const queueMs = performance.now() - startedAt;
    try {
      if (this.disposed) throw new LlamadeskError("MODEL_FAILED", `${this.id} was disposed before this request got a turn.`);
      const maxTokens = options.maxTokens ?? this.defaults.maxTokens;
      const ignoreEos = options.ignoreEos ?? false;
      const fitted = this.fit(slot, key, messages, maxTokens);
      slot.key = key;
      slot.item.keptFrom = fitted.keptFrom;
      let tokens = 0;
      let firstAt: number | null = null;
      try {
        const sequence = slot.item.chat.sequence;
        const meter = sequence.tokenMeter.getState();
        const response = await slot.item.chat.generateResponse(fitted.history, {
          // Also bounded by the room left, so the context never has to shift mid-answer.
          maxTokens: Math.max(1, Math.min(maxTokens, this.contextSize - fitted.promptTokens - 1)),
          temperature: options.temperature ?? this.defaults.temperature,
          topP: options.topP ?? this.defaults.topP,
          customStopTriggers: [...(options.stop ?? this.defaults.stop), ...(ignoreEos ? [] : this.formatStops)],
          ...(ignoreEos ? { tokenBias: (this.eosBan ??= banEndOfGeneration(this.init.model)) } : {}),
          signal,
          stopOnAbortSignal: true,
          onToken: (t) => void (tokens += t.length),
          onTextChunk: (text) => {
            if (text === "") return;
            firstAt ??= performance.now() - startedAt;
            emit(text);
          },
        });
        const used = sequence.tokenMeter.diff(meter);
        // The meter counts the prompt's last token, which yields the first answer token, as output.
        const evaluated = Math.min(fitted.promptTokens, used.usedInputTokens + (used.usedOutputTokens > 0 ? 1 : 0));
        return {
          text: response.response,
          stopReason: stopReasonOf(response.metadata, this.formatStops),
          tokens,
          promptTokens: fitted.promptTokens,
          promptTokensEvaluated: evaluated,
          promptTokensReused: fitted.promptTokens - evaluated,
          droppedMessages: fitted.keptFrom,
          queueMs,
          timeToFirstTokenMs: firstAt,
          totalMs: performance.now() - startedAt,
        };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        // A failed evaluation can leave the sequence half-written: the next request on it starts clean.
        slot.key = undefined;
        if (!this.disposed) await slot.item.chat.sequence.clearHistory().catch(() => {});
        const what = this.disposed ? "was disposed while generating" : `failed while generating: ${(error as Error).message}`;
        throw new LlamadeskError("MODEL_FAILED", `${this.id} ${what}`, { cause: error });
      }
    } finally {
      this.pool.release(slot);
    }
  }

  /**
   * The history to send: the system message and the newest turns that fit beside `maxTokens` of answer
   * (up to half the context). When turns must go, a quarter of the budget is freed at once and the cut is
   * remembered per conversation, so the following turns keep one stable, reusable prefix.
   */
  private fit(slot: PoolSlot<Sequence>, key: string | undefined, messages: ChatMessage[], maxTokens: number) {
    const system = messages[0]?.role === "system" ? messages.slice(0, 1) : [];
    const turns = messages.slice(system.length);
    const budget = this.contextSize - Math.min(maxTokens, Math.floor(this.contextSize / 2));
    const count = (from: number) => this.renderPrompt([...system, ...turns.slice(from)]).tokens.length;
    const nextUser = (from: number) => turns.findIndex((m, i) => i > from && m.role === "user");
    let keptFrom = key !== undefined && slot.key === key && slot.item.keptFrom < turns.length ? slot.item.keptFrom : 0;
    let promptTokens = count(keptFrom);
    if (promptTokens > budget) {
      const target = budget - Math.floor(budget / 4);
      for (let next = nextUser(keptFrom); promptTokens > target && next !== -1; next = nextUser(keptFrom)) {
        keptFrom = next;
        promptTokens = count(keptFrom);
      }
      if (promptTokens > budget) {
        throw new LlamadeskError(
          "PROMPT_TOO_LONG",
          `The system message and the last user message take ${promptTokens} tokens, but ${this.id} has room for ${budget} ` +
            `beside the answer (contextSize ${this.contextSize}). Shorten them (e.g. fewer retrieved passages), lower maxTokens or raise contextSize.`,
        );
      }
    }
    return { history: toHistory([...system, ...turns.slice(keptFrom)]), promptTokens, keptFrom };
  }
}

function chatWrapperFor(model: LlamaModel, format: ChatFormat): ChatWrapper {
  if (format === "alpaca") return new AlpacaChatWrapper();
  // "auto": node-llama-cpp keeps Llama 2's real template as Jinja; mapped without Jinja it is recognised as Llama 2.
  if (format === "llama2" || resolveChatWrapper(model, { noJinja: true }) instanceof Llama2ChatWrapper) return new Llama2ReferenceChatWrapper();
  return resolveChatWrapper(model);
}

/**
 * Message text goes in as history items, so it is tokenised as text; typed template markers (`[INST]`, `<</SYS>>`,
 * `### Response:`) are broken first, since as text they tokenise like the real ones. A trailing empty answer asks for the reply.
 */
function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const items = messages.map((m): ChatHistoryItem => {
    const text = neutralizeControlText(m.content.trim());
    return m.role === "system" ? { type: "system", text } : m.role === "user" ? { type: "user", text } : { type: "model", response: [text] };
  });
  items.push({ type: "model", response: [] });
  return items;
}

function stopReasonOf(metadata: { stopReason: string; customStopTrigger?: (string | unknown)[] }, formatStops: string[]): StopReason {
  switch (metadata.stopReason) {
    case "maxTokens":
    case "abort":
      return metadata.stopReason;
    case "customStopTrigger":
      return formatStops.includes(metadata.customStopTrigger?.join("") ?? "") ? "eos" : "stop";
    default:
      return "eos";
  }
}

async function fileSize(file: string, what: string, fix: string): Promise<number> {
  try {
    const info = await stat(file);
    if (info.isFile()) return info.size;
  } catch {
    // reported below
  }
  throw new LlamadeskError("MODEL_NOT_FOUND", `${what} ${file} does not exist or is not a file. ${fix}`);
}

function invalid(field: string, expected: string, value: unknown): never {
  throw new LlamadeskError("INVALID_OPTION", `LlamaChatModel: ${field} must be ${expected}, got ${JSON.stringify(value)}.`);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

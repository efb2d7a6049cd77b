import { LlamaChatSession, type ChatHistoryItem, type ChatWrapper, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import type { ChatMessage } from "../../src/model/ChatModel.js";
import { banEndOfGeneration } from "../../src/model/banEndOfGeneration.js";
import { neutralizeControlText } from "../../src/model/neutralizeControlText.js";
import { speedSample, type SpeedSample } from "./timeChatStream.js";

export interface RawChatSessionOptions {
  llama: Llama;
  modelPath: string;
  /** Tokens of the context. */
  contextSize: number;
  /** The prompt format: pass the compared model's, so both evaluate the same tokens. */
  chatWrapper: ChatWrapper;
}

export interface RawRunOptions {
  maxTokens: number;
  temperature: number;
  topP: number;
  ignoreEos: boolean;
}

/**
 * The baseline the chat model is compared with: node-llama-cpp's own `LlamaChatSession`, on its own context of the
 * same model file, with the same threads (`llama.cpuMathCores`), prompt format, sampling and EOS ban.
 */
export class RawChatSession {
  private eosBan: ReturnType<typeof banEndOfGeneration> | undefined;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
    private readonly chatWrapper: ChatWrapper,
  ) {}

  static async create(options: RawChatSessionOptions): Promise<RawChatSession> {
    const model = await options.llama.loadModel({ modelPath: options.modelPath });
    const context = await model.createContext({ contextSize: options.contextSize, threads: options.llama.cpuMathCores });
    return new RawChatSession(model, context, context.getSequence(), options.chatWrapper);
  }

  /** Answers the last (user) message after the others, from a cleared sequence: the whole prompt is evaluated. */
  async run(messages: readonly ChatMessage[], options: RawRunOptions): Promise<SpeedSample> {
    const last = messages[messages.length - 1];
    if (last?.role !== "user") throw new Error("RawChatSession.run: the last message must be the user's.");
    await this.sequence.clearHistory();
    const session = new LlamaChatSession({ contextSequence: this.sequence, chatWrapper: this.chatWrapper, autoDisposeSequence: false });
    // The same history items LlamaChatModel builds: trimmed, template markers neutralised.
    session.setChatHistory(messages.slice(0, -1).map(toHistoryItem));
    const meter = this.sequence.tokenMeter.getState();
    let firstAt: number | undefined;
    let tokens = 0;
    const startedAt = performance.now();
    await session.promptWithMeta(neutralizeControlText(last.content.trim()), {
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      topP: options.topP,
      ...(options.ignoreEos ? { tokenBias: (this.eosBan ??= banEndOfGeneration(this.model)) } : {}),
      onToken: (t) => void (tokens += t.length),
      onTextChunk: (text) => {
        if (text !== "") firstAt ??= performance.now();
      },
    });
    const endAt = performance.now();
    const used = this.sequence.tokenMeter.diff(meter);
    session.dispose({ disposeSequence: false });
    // As LlamaChatModel counts: the meter books the prompt's last token, which yields the first answer token, as output.
    const promptTokens = used.usedInputTokens + (used.usedOutputTokens > 0 ? 1 : 0);
    return { ...speedSample(startedAt, firstAt, endAt, tokens), promptTokens, promptTokensEvaluated: promptTokens };
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

function toHistoryItem(m: ChatMessage): ChatHistoryItem {
  const text = neutralizeControlText(m.content.trim());
  return m.role === "system" ? { type: "system", text } : m.role === "user" ? { type: "user", text } : { type: "model", response: [text] };
}

import type { Llama } from "node-llama-cpp";
import type { ChatModel } from "../../src/model/ChatModel.js";
import type { LlamaChatModel } from "../../src/model/LlamaChatModel.js";
import type { RawChatSession, RawRunOptions } from "../lib/RawChatSession.js";
import type { Recorder } from "../lib/report.js";
import type { SampleKnowledge } from "../lib/sampleKnowledge.js";
import type { SpeedSample } from "../lib/timeChatStream.js";

/** What each part of the answer-speed bench gets for one model shape. */
export interface AnswerBenchContext {
  rec: Recorder;
  llama: Llama;
  /** Names the model in metrics, e.g. "TinyLlama-1.1B-shaped Q4_0". */
  label: string;
  modelPath: string;
  contextSize: number;
  /**
   * Two identical LlamaChatModels (one sequence each: requests queue), the first created before `raw`, the second
   * after: comparisons use each in turn, since in A/A runs the later-created of two identical contexts decoded ~3% faster.
   */
  chatModels: readonly [LlamaChatModel, LlamaChatModel];
  raw: RawChatSession;
  knowledge: SampleKnowledge;
  /** Measured runs, after one warm-up run. */
  runs: number;
  /** The same for every contender: EOS ignored, so each generates exactly maxTokens. */
  generation: RawRunOptions;
  /** The decode-speed pairs (short prompt, longer answers). */
  decode: { pairs: number; maxTokens: number };
}

/** The LlamaChatModel for run `i`: the first, first, second, second, first... so it varies apart from who goes first (i % 2). */
export function contender(ctx: Pick<AnswerBenchContext, "chatModels">, i: number): LlamaChatModel {
  return ctx.chatModels[(i >> 1) & 1]!;
}

/**
 * Makes the model's only sequence forget the last conversation: a one-token request whose prompt shares only
 * `<s>[INST]` with any other, so the next request evaluates its whole prompt (as the cleared baseline does).
 */
export async function flush(model: ChatModel): Promise<void> {
  for await (const _piece of model.stream([{ role: "user", content: "Flush." }], { maxTokens: 1 }));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Warns when a generation did not run to maxTokens (a stop string in random text): its timing is still valid. */
export function checkTokens(what: string, sample: Pick<SpeedSample, "tokens">, maxTokens: number): void {
  if (sample.tokens !== maxTokens) console.log(`    note: ${what} generated ${sample.tokens} tokens, not ${maxTokens}`);
}

/** "1234 ms (567 tok)" for per-run lines. */
export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

import type { ChatStream } from "../../src/model/ChatModel.js";

/** One generation's speed, measured the same way for every contender. */
export interface SpeedSample {
  /** From the request to the first text piece. */
  ttftMs: number;
  /** Tokens generated. */
  tokens: number;
  /** Decoding after the first piece: (tokens - 1) / (end - first piece). */
  decodeTokensPerSecond: number;
  /** From the request to the end of generation. */
  totalMs: number;
  promptTokens: number;
  /** Prompt tokens evaluated (the rest came from the sequence's cache). */
  promptTokensEvaluated: number;
}

/** Consumes a chat stream, timing its first piece and its end from `startedAt` (defaults to now). */
export async function timeChatStream(stream: ChatStream, startedAt = performance.now()): Promise<SpeedSample & { text: string }> {
  let firstAt: number | undefined;
  for await (const piece of stream) if (piece !== "") firstAt ??= performance.now();
  const endAt = performance.now();
  const result = await stream.result;
  return {
    ...speedSample(startedAt, firstAt, endAt, result.tokens),
    promptTokens: result.promptTokens,
    promptTokensEvaluated: result.promptTokensEvaluated,
    text: result.text,
  };
}

/** Time to first token, decode rate and total time from three timestamps and a token count. */
export function speedSample(startedAt: number, firstAt: number | undefined, endAt: number, tokens: number): Pick<SpeedSample, "ttftMs" | "tokens" | "decodeTokensPerSecond" | "totalMs"> {
  if (firstAt === undefined) throw new Error("The generation produced no text: nothing to time.");
  return {
    ttftMs: firstAt - startedAt,
    tokens,
    decodeTokensPerSecond: endAt > firstAt ? (tokens - 1) / ((endAt - firstAt) / 1000) : Number.NaN,
    totalMs: endAt - startedAt,
  };
}

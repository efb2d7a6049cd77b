import { expect, it } from "vitest";
import { createChatStream, type GenerationResult } from "../../src/model/ChatModel.js";

const done = (text: string): GenerationResult => ({
  text,
  stopReason: "eos",
  tokens: 2,
  promptTokens: 1,
  promptTokensEvaluated: 1,
  promptTokensReused: 0,
  droppedMessages: 0,
  queueMs: 0,
  timeToFirstTokenMs: 0,
  totalMs: 0,
});

it("settles the result when the consumer stops reading after the generation has already ended", async () => {
  // Generation emits everything at once and ends before the consumer has read its first piece.
  const stream = createChatStream(async (emit) => {
    emit("Hello");
    emit(" there");
    return done("Hello there");
  });
  for await (const piece of stream) {
    expect(piece).toBe("Hello");
    break;
  }
  await expect(stream.result).resolves.toMatchObject({ text: "Hello there", stopReason: "eos" });
});

import { describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { ChatMessage } from "../../src/model/ChatModel.js";
import { FakeChatModel } from "../../src/testing/index.js";

const ask: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "How do I reset my password?" },
];

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of stream) pieces.push(piece);
  return pieces;
}

describe("FakeChatModel", () => {
  it("streams scripted answers word by word, in turn, and records every call", async () => {
    const model = new FakeChatModel({ answers: ["Open Settings then Reset.", "Second answer."] });
    const first = model.stream(ask, { maxTokens: 50, conversationKey: "c1" });
    expect(await collect(first)).toEqual(["Open", " Settings", " then", " Reset."]);
    expect(await first.result).toMatchObject({ text: "Open Settings then Reset.", stopReason: "eos", tokens: 4 });
    expect(await collect(model.stream(ask))).toEqual(["Second", " answer."]);
    expect((await collect(model.stream(ask))).join("")).toBe("Second answer.");
    expect(model.calls).toHaveLength(3);
    expect(model.calls[0]).toEqual({ messages: ask, options: { maxTokens: 50, conversationKey: "c1" } });
    expect(model.stopReasons).toEqual(["eos", "eos", "eos"]);
  });

  it("answers with a function of the call", async () => {
    const model = new FakeChatModel({ answers: (messages) => `You said: ${messages.at(-1)!.content}` });
    expect((await collect(model.stream([{ role: "user", content: "hi" }]))).join("")).toBe("You said: hi");
  });

  it("stops at maxTokens and before stop strings", async () => {
    const model = new FakeChatModel({ answers: ["one two three four five"] });
    const limited = model.stream(ask, { maxTokens: 2 });
    expect(await collect(limited)).toEqual(["one", " two"]);
    expect((await limited.result).stopReason).toBe("maxTokens");
    const stopped = model.stream(ask, { stop: [" four"] });
    expect((await collect(stopped)).join("")).toBe("one two three");
    expect((await stopped.result).stopReason).toBe("stop");
  });

  it("with ignoreEos, repeats the answer up to exactly maxTokens; a stop string still ends it", async () => {
    const model = new FakeChatModel({ answers: ["one two three"] });
    const forced = model.stream(ask, { maxTokens: 7, ignoreEos: true });
    expect((await collect(forced)).join("")).toBe("one two three one two three one");
    expect(await forced.result).toMatchObject({ stopReason: "maxTokens", tokens: 7 });
    const exact = model.stream(ask, { maxTokens: 3, ignoreEos: true });
    expect(await collect(exact)).toEqual(["one", " two", " three"]);
    expect((await exact.result).stopReason).toBe("maxTokens");
    const stopped = model.stream(ask, { maxTokens: 7, ignoreEos: true, stop: [" three"] });
    expect((await collect(stopped)).join("")).toBe("one two");
    expect((await stopped.result).stopReason).toBe("stop");
  });

  it("throws the signal's reason when aborted mid-stream, and stops generating", async () => {
    const model = new FakeChatModel({ answers: ["a b c d e f g h i j"], delayMs: 5 });
    const controller = new AbortController();
    const stream = model.stream(ask, { signal: controller.signal });
    const pieces: string[] = [];
    await expect(
      (async () => {
        for await (const piece of stream) {
          pieces.push(piece);
          if (pieces.length === 2) controller.abort(new Error("user left"));
        }
      })(),
    ).rejects.toThrow("user left");
    expect(pieces).toHaveLength(2);
    await expect(stream.result).rejects.toThrow("user left");
    expect(model.stopReasons).toEqual(["abort"]);
  });

  it("rejects at once for an already aborted signal", async () => {
    const model = new FakeChatModel();
    const stream = model.stream(ask, { signal: AbortSignal.abort(new Error("too late")) });
    await expect(collect(stream)).rejects.toThrow("too late");
  });

  it("stops generating when the consumer breaks out early; the result says abort", async () => {
    const model = new FakeChatModel({ answers: ["a b c d e f"], delayMs: 2 });
    const stream = model.stream(ask);
    for await (const piece of stream) {
      expect(piece).toBe("a");
      break;
    }
    expect(await stream.result).toMatchObject({ stopReason: "abort", text: "a" });
  });

  it("can be iterated once and rejects malformed messages, naming the problem", async () => {
    const model = new FakeChatModel();
    const stream = model.stream(ask);
    await collect(stream);
    await expect(collect(stream)).rejects.toSatisfy((e) => isLlamadeskError(e, "INVALID_OPTION"));
    expect(() => model.stream([])).toThrow(/must end with a user message/);
    expect(() => model.stream([{ role: "user", content: "q" }, { role: "assistant", content: "a" }])).toThrow(/"assistant"/);
    expect(() => model.stream([{ role: "bot" as "user", content: "q" }])).toThrow(/messages\[0\]\.role/);
    expect(() => model.stream(ask, { maxTokens: 0 })).toThrow(/maxTokens must be a whole number/);
    expect(() => model.stream(ask, { topP: 1.5 })).toThrow(/topP/);
    expect(() => model.stream(ask, { stop: [""] })).toThrow(/stop/);
  });
});

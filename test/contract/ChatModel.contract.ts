import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { ChatMessage, ChatModel, ChatStream } from "../../src/model/ChatModel.js";

export interface ChatModelImplementation {
  name: string;
  /** The model under test, and how to free it (and anything behind it, e.g. a server) afterwards. */
  create(): Promise<{ model: ChatModel; dispose(): Promise<void> }>;
}

const ask: ChatMessage[] = [
  { role: "system", content: "You are the support assistant of Acme. Answer briefly." },
  { role: "user", content: "How do I reset my password?" },
];

async function drain(stream: ChatStream) {
  const pieces: string[] = [];
  for await (const piece of stream) pieces.push(piece);
  return { pieces, result: await stream.result };
}

/**
 * What every ChatModel promises, run against each implementation. The models' words are not checked (the tiny
 * GGUF writes gibberish): the shape of the stream, the limits, stop strings, cancellation and bad requests are.
 */
export function chatModelContract(impl: ChatModelImplementation): void {
  describe(`ChatModel contract: ${impl.name}`, () => {
    let model: ChatModel;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ model, dispose } = await impl.create());
    });
    afterAll(async () => dispose?.());

    it("streams pieces that join to the result's text, with its figures", async () => {
      const { pieces, result } = await drain(model.stream(ask, { maxTokens: 8 }));
      expect(pieces.length).toBeGreaterThan(0);
      expect(pieces.join("")).toBe(result.text);
      expect(["eos", "maxTokens"]).toContain(result.stopReason);
      expect(result.tokens).toBeGreaterThan(0);
      expect(result.tokens).toBeLessThanOrEqual(8);
      expect(result.promptTokens).toBeGreaterThan(0);
      expect(result.promptTokensEvaluated + result.promptTokensReused).toBe(result.promptTokens);
      expect(result.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
      expect(result.totalMs).toBeGreaterThanOrEqual(result.timeToFirstTokenMs!);
      expect(typeof model.id).toBe("string");
      expect(model.id).not.toBe("");
    });

    it("with ignoreEos generates exactly maxTokens and says so", async () => {
      const { result } = await drain(model.stream(ask, { maxTokens: 6, ignoreEos: true }));
      expect(result.stopReason).toBe("maxTokens");
      expect(result.tokens).toBe(6);
    });

    it("ends the answer before a stop string, which is not emitted", async () => {
      const greedy = { maxTokens: 12, temperature: 0, ignoreEos: true };
      const { pieces, result: full } = await drain(model.stream(ask, greedy));
      const stop = pieces.slice(Math.floor(pieces.length / 2)).find((p) => p.trim() !== "")!.trim();
      const cut = full.text.indexOf(stop);
      const { result } = await drain(model.stream(ask, { ...greedy, stop: [stop] }));
      expect(result.stopReason).toBe("stop");
      // Whitespace just before the stop string may or may not be emitted (the fake drops it); the words must match.
      expect(result.text.trimEnd()).toBe(full.text.slice(0, cut).trimEnd());
      expect(result.text).not.toContain(stop);
    });

    it("a caller's abort ends the iteration with the signal's reason; the model then answers the next request", async () => {
      const controller = new AbortController();
      const reason = new Error("the customer left");
      const stream = model.stream(ask, { maxTokens: 64, ignoreEos: true, signal: controller.signal });
      let pieces = 0;
      const iteration = (async () => {
        for await (const _piece of stream) if (++pieces === 1) controller.abort(reason);
      })();
      await expect(iteration).rejects.toBe(reason);
      await expect(stream.result).rejects.toBe(reason);
      expect(pieces).toBe(1);
      const { result } = await drain(model.stream(ask, { maxTokens: 4 }));
      expect(result.tokens).toBeGreaterThan(0);
    });

    it("a consumer that stops reading ends the generation: the result says abort", async () => {
      const stream = model.stream(ask, { maxTokens: 64, ignoreEos: true });
      let text = "";
      for await (const piece of stream) {
        text += piece;
        break;
      }
      const result = await stream.result;
      expect(result.stopReason).toBe("abort");
      expect(result.text.startsWith(text)).toBe(true);
      expect(result.tokens).toBeLessThan(64);
      const next = await drain(model.stream(ask, { maxTokens: 4 }));
      expect(next.result.tokens).toBeGreaterThan(0);
    });

    it("a stream is iterated once", async () => {
      const stream = model.stream(ask, { maxTokens: 2 });
      await drain(stream);
      await expect(drain(stream)).rejects.toSatisfy((e: unknown) => isLlamadeskError(e, "INVALID_OPTION"));
    });

    it("refuses bad requests with INVALID_OPTION, naming what is wrong, before generating", () => {
      const refused = (run: () => unknown, what: RegExp) => {
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(isLlamadeskError(error, "INVALID_OPTION")).toBe(true);
        expect((error as Error).message).toMatch(what);
      };
      refused(() => model.stream(ask, { maxTokens: 0 }), /maxTokens/);
      refused(() => model.stream(ask, { topP: 2 }), /topP/);
      refused(() => model.stream(ask, { stop: [""] }), /stop/);
      refused(() => model.stream([...ask, { role: "assistant", content: "Hi" }]), /end with a user message/);
    });
  });
}

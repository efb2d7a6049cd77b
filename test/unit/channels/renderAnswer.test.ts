import { describe, expect, it } from "vitest";
import type { BotEvent } from "../../../src/BotEvent.js";
import { renderAnswer, type AnswerView } from "../../../src/channels/renderAnswer.js";
import { sourcesToShow } from "../../../src/channels/sourceLink.js";
import type { AnswerSource } from "../../../src/pipeline/AnswerSource.js";

const source = (n: number): AnswerSource => ({ n, id: `d${n}`, chunkId: `d${n}`, kind: "faq", title: `T${n}`, source: `faq.md:${n}`, score: 1 / n });
const timing = { condenseMs: 0, retrievalMs: 0, queueMs: 0, timeToFirstTokenMs: 1, tokensPerSecond: 1, tokens: 1, promptTokens: 1, promptTokensEvaluated: 1, totalMs: 1 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Events with a pause before each token, like a model decoding. */
async function* stream(tokens: string[], pauseMs: number, end: BotEvent): AsyncGenerator<BotEvent> {
  yield { type: "sources", sources: [source(1), source(2)], question: "q" };
  for (const text of tokens) {
    await sleep(pauseMs);
    yield { type: "token", text };
  }
  yield end;
}

describe("renderAnswer", () => {
  it("throttles streaming renders, never overlaps them, and always ends with one final render", async () => {
    const renders: { text: string; final: boolean; at: number }[] = [];
    let busy = false;
    const tokens = Array.from({ length: 30 }, (_, i) => `t${i} `);
    const done: BotEvent = { type: "done", answer: "final [1]", mode: "generative", citations: [source(1)], sources: [source(1), source(2)], turnId: "turn-1", timing };
    const view = await renderAnswer(stream(tokens, 5, done), {
      intervalMs: 50,
      render: async (v, final) => {
        expect(busy, "a render started while another was in flight").toBe(false);
        busy = true;
        renders.push({ text: v.text, final, at: Date.now() });
        await sleep(20);
        busy = false;
      },
    });
    const streaming = renders.filter((r) => !r.final);
    // The tokens take at least 150 ms, so there is time for a second render 50 ms after the first.
    expect(streaming.length).toBeGreaterThanOrEqual(2);
    // Throttled: renders start at least the interval apart (timed where they start, so a slow machine only widens
    // the gaps; a timer may fire a little early), each showing the text so far.
    for (let i = 1; i < streaming.length; i++) expect(streaming[i]!.at - streaming[i - 1]!.at).toBeGreaterThanOrEqual(45);
    const full = tokens.join("");
    for (let i = 0; i < streaming.length; i++) {
      expect(full.startsWith(streaming[i]!.text)).toBe(true);
      if (i > 0) expect(streaming[i]!.text.length).toBeGreaterThan(streaming[i - 1]!.text.length);
    }
    expect(renders.filter((r) => r.final)).toHaveLength(1);
    expect(renders.at(-1)).toMatchObject({ final: true, text: "final [1]" });
    expect(view).toMatchObject({ state: "answered", turnId: "turn-1", citations: [source(1)], mode: "generative" });
  });

  it("keeps reading events while a slow render is in flight, and a failed streaming render does not stop the answer", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const finals: AnswerView[] = [];
    const done: BotEvent = { type: "done", answer: "abc", mode: "generative", citations: [], sources: [], turnId: "t", timing };
    let allRead!: () => void;
    const ended = new Promise<boolean>((resolve) => (allRead = () => resolve(true)));
    async function* events(): AsyncGenerator<BotEvent> {
      yield* stream(["a", "b", "c"], 1, done);
      allRead();
    }
    let readWhileRendering: boolean | undefined;
    await renderAnswer(events(), {
      intervalMs: 0,
      onRenderError: (e) => errors.push(e),
      render: async (v, final) => {
        calls++;
        if (final) finals.push(v);
        else {
          // The first render lasts until every event has been read (or gives up after 5 s): it must not hold up reading.
          let giveUp: NodeJS.Timeout | undefined;
          readWhileRendering = await Promise.race([ended, new Promise<boolean>((resolve) => (giveUp = setTimeout(resolve, 5_000, false)))]);
          clearTimeout(giveUp);
          throw new Error("429");
        }
      },
    });
    expect(readWhileRendering).toBe(true);
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
    expect(finals[0]!.text).toBe("abc");
  });

  it("renders an abstention followed by a handoff as one message, and awaiting-human as quiet", async () => {
    const abstain = async function* (): AsyncGenerator<BotEvent> {
      yield { type: "abstained", reason: "low-confidence", message: "I don't know.", sources: [source(2)], turnId: "t2", timing };
      yield { type: "handoff", reason: "repeated-abstentions", message: "A human will follow up.", turnId: "t2" };
    };
    const view = await renderAnswer(abstain(), { render: async () => {} });
    expect(view).toMatchObject({ state: "abstained", text: "I don't know.\n\nA human will follow up.", turnId: "t2", handoff: { reason: "repeated-abstentions" } });

    const quiet = async function* (): AsyncGenerator<BotEvent> {
      yield { type: "handoff", reason: "awaiting-human", message: "" };
    };
    expect((await renderAnswer(quiet(), { render: async () => {} })).state).toBe("quiet");
  });

  it("reports an error event, and a stream that ends without a final event, as failed", async () => {
    const failing = async function* (): AsyncGenerator<BotEvent> {
      yield { type: "token", text: "par" };
      yield { type: "error", code: "MODEL_FAILED", message: "boom" };
    };
    expect(await renderAnswer(failing(), { render: async () => {} })).toMatchObject({ state: "failed", error: { code: "MODEL_FAILED" } });
    const cut = async function* (): AsyncGenerator<BotEvent> {
      yield { type: "token", text: "par" };
    };
    expect(await renderAnswer(cut(), { render: async () => {} })).toMatchObject({ state: "failed", error: { code: "ABORTED" } });
  });
});

describe("sourcesToShow", () => {
  it("lists cited sources first, once each, then the rest, up to the limit", () => {
    const all = [source(1), source(2), source(3), source(4), source(5)];
    expect(sourcesToShow(all, [source(3), source(1), source(3)], 4).map((s) => s.n)).toEqual([3, 1, 2, 4]);
  });
});

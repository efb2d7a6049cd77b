import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { LlamaEmbedder } from "../../src/knowledge/LlamaEmbedder.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";

const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

// Real parts: llama.cpp through node-llama-cpp, on a tiny random-weight Llama 2 file.
describe("LlamaEmbedder", () => {
  let work: string;
  let modelPath: string;
  let embedder: LlamaEmbedder;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-embedder-"));
    modelPath = await writeTinyLlamaGguf({ path: join(work, "tiny.gguf"), contextLength: 256 });
    embedder = await LlamaEmbedder.create({ modelPath, contextSize: 128 });
  }, 120_000);

  afterAll(async () => {
    await embedder?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("returns unit vectors of the model's dimension, one per text, in order", async () => {
    const texts = ["How do I reset my password?", "Where is my order?", "Can I get a refund?"];
    const vectors = await embedder.embed(texts);
    expect(embedder.dimensions).toBe(64);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toHaveLength(64);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const one = await Promise.all(texts.map(async (t) => (await embedder.embed([t]))[0]!));
    const reversed = await embedder.embed([...texts].reverse());
    for (const [i, v] of vectors.entries()) {
      expect(dot(v, one[i]!)).toBeCloseTo(1, 5);
      expect(dot(v, reversed[2 - i]!)).toBeCloseTo(1, 5);
    }
  }, 60_000);

  it("gives the same text the same vector and different texts different vectors", async () => {
    const [a, b, c] = await embedder.embed(["Shipping to Canada", "Shipping to Canada", "Cancel my subscription"]);
    expect(a).toEqual(b);
    expect(dot(a!, c!)).toBeLessThan(0.999);
  }, 60_000);

  it("truncates texts longer than the context instead of failing", async () => {
    expect(embedder.maxInputTokens).toBe(128 - 2); // minus BOS and the slot node-llama-cpp keeps free
    const long = "The quick brown fox jumps over the lazy dog. ".repeat(400);
    const [vector, sameStart] = await embedder.embed([long, long + " And then some more words at the end."]);
    expect(vector).toHaveLength(64);
    expect(norm(vector!)).toBeCloseTo(1, 5);
    expect(dot(vector!, sameStart!)).toBeCloseTo(1, 5); // only the first tokens count
  }, 60_000);

  it("embeds an empty text as a unit vector", async () => {
    const [vector] = await embedder.embed([""]);
    expect(vector).toHaveLength(64);
    expect(norm(vector!)).toBeCloseTo(1, 5);
  }, 60_000);

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(["anything"], { signal: controller.signal })).rejects.toThrow();
  });

  it("has an id naming the model and dimension, stable across loads", async () => {
    expect(embedder.id).toMatch(/^gguf:llamadesk-tiny-llama-\(random-weights\):64:[0-9a-f]{8}$/);
    const again = await LlamaEmbedder.create({ modelPath, contextSize: 64 });
    try {
      expect(again.id).toBe(embedder.id);
      const [v1] = await again.embed(["Where is my order?"]);
      const [v2] = await embedder.embed(["Where is my order?"]);
      expect(dot(v1!, v2!)).toBeCloseTo(1, 5);
    } finally {
      await again.dispose();
    }
  }, 120_000);

  it("reports a missing model file as MODEL_NOT_FOUND with the path and the fix", async () => {
    const missing = join(work, "nope.gguf");
    const error = await LlamaEmbedder.create({ modelPath: missing }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "MODEL_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain("--embedder-model");
  });

  it("refuses to embed after dispose", async () => {
    const temporary = await LlamaEmbedder.create({ modelPath, contextSize: 64 });
    await temporary.dispose();
    await temporary.dispose(); // twice is fine
    await expect(temporary.embed(["x"])).rejects.toSatisfy((e) => isLlamadeskError(e, "EMBEDDER_FAILED"));
  }, 120_000);
});

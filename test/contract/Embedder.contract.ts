import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";

export interface EmbedderContractOptions {
  /** Largest difference allowed between a vector embedded in a batch and the same text embedded alone. Defaults to 1e-6. */
  tolerance?: number;
  /** Per-test timeout (loading a model can take a while on a busy machine). Defaults to 120 s. */
  timeoutMs?: number;
}

const TEXTS = [
  "How do I reset my password?",
  "Where can I download my invoices?",
  "Sync is slow on my laptop",
  "Can I get a refund for a yearly plan?",
  "Ünïcödé and 日本語 and an emoji 🙂",
];

const norm = (v: readonly number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const maxDifference = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

/**
 * What every `Embedder` promises, run against each implementation: `open` builds a fresh one
 * (the suite disposes it). One embedder serves the whole suite but for the dispose test.
 */
export function describeEmbedderContract(name: string, open: () => Promise<Embedder>, options: EmbedderContractOptions = {}): void {
  const tolerance = options.tolerance ?? 1e-6;
  const timeout = options.timeoutMs ?? 120_000;

  describe(`Embedder contract: ${name}`, () => {
    let embedder: Embedder;
    beforeAll(async () => {
      embedder = await open();
    }, timeout);
    afterAll(async () => {
      await embedder?.dispose?.();
    });

    it("has a stable id and dimensions: the same before and after embedding", async () => {
      const { id, dimensions } = embedder;
      expect(id).toMatch(/\S/);
      expect(Number.isInteger(dimensions) && dimensions > 0).toBe(true);
      await embedder.embed(TEXTS.slice(0, 2));
      expect(embedder.id).toBe(id);
      expect(embedder.dimensions).toBe(dimensions);
    }, timeout);

    it("returns one unit vector of `dimensions` numbers per text, in the order given", async () => {
      const vectors = await embedder.embed(TEXTS);
      expect(vectors).toHaveLength(TEXTS.length);
      for (const vector of vectors) {
        expect(vector).toHaveLength(embedder.dimensions);
        expect(vector.every(Number.isFinite)).toBe(true);
        expect(norm(vector)).toBeCloseTo(1, 5);
      }
      const reversed = await embedder.embed([...TEXTS].reverse());
      vectors.forEach((vector, i) => expect(maxDifference(vector, reversed[TEXTS.length - 1 - i]!)).toBeLessThanOrEqual(tolerance));
      // Different texts, different vectors; the same text twice, the same vector.
      expect(maxDifference(vectors[0]!, vectors[1]!)).toBeGreaterThan(1e-3);
      const [again] = await embedder.embed([TEXTS[0]!]);
      expect(maxDifference(again!, vectors[0]!)).toBeLessThanOrEqual(tolerance);
    }, timeout);

    it("gives a batch the vectors each text gets alone, sequentially or concurrently", async () => {
      const batch = await embedder.embed(TEXTS);
      const oneByOne: number[][] = [];
      for (const text of TEXTS) oneByOne.push((await embedder.embed([text]))[0]!);
      const concurrent = await Promise.all(TEXTS.map(async (text) => (await embedder.embed([text]))[0]!));
      TEXTS.forEach((text, i) => {
        expect(maxDifference(batch[i]!, oneByOne[i]!), text).toBeLessThanOrEqual(tolerance);
        expect(maxDifference(batch[i]!, concurrent[i]!), text).toBeLessThanOrEqual(tolerance);
      });
    }, timeout);

    it("answers an empty batch with no vectors, and an empty or blank text with a unit vector", async () => {
      expect(await embedder.embed([])).toEqual([]);
      const vectors = await embedder.embed(["", "   "]);
      expect(vectors).toHaveLength(2);
      for (const vector of vectors) {
        expect(vector).toHaveLength(embedder.dimensions);
        expect(norm(vector)).toBeCloseTo(1, 5);
      }
    }, timeout);

    it("stops on abort: an aborted signal rejects with its reason, before or during a batch, and the embedder works on", async () => {
      await expect(embedder.embed(TEXTS, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
      const controller = new AbortController();
      const during = embedder.embed(Array.from({ length: 100 }, (_, i) => `${TEXTS[i % TEXTS.length]} (${i})`), { signal: controller.signal });
      controller.abort();
      await expect(during).rejects.toMatchObject({ name: "AbortError" });
      const reason = new Error("the customer left");
      await expect(embedder.embed(TEXTS, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(await embedder.embed([TEXTS[0]!])).toHaveLength(1);
    }, timeout);

    it("disposes: a second dispose is harmless, and embedding afterwards fails with EMBEDDER_FAILED or works as before", async () => {
      const fresh = await open();
      const [before] = await fresh.embed([TEXTS[2]!]);
      await fresh.dispose?.();
      await fresh.dispose?.();
      const after = await fresh.embed([TEXTS[2]!]).catch((error: unknown) => error);
      if (Array.isArray(after)) expect(maxDifference(after[0] as number[], before!)).toBeLessThanOrEqual(tolerance);
      else expect(isLlamadeskError(after, "EMBEDDER_FAILED")).toBe(true);
      await fresh.dispose?.();
    }, timeout * 2);
  });
}

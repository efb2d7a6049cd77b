import { afterEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { EmbedderPool } from "../../src/knowledge/pool/EmbedderPool.js";
import { lengthOf, TAG_DIMENSIONS, threadOf, type ThreadTaggingOptions } from "../support/workerEmbedders.js";

// The pool's scheduling and failure handling, on real worker threads running a tiny embedder
// whose vectors name the thread that made them (test/support/workerEmbedders.ts).
const pools: EmbedderPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.dispose()));
});

function taggingPool(options: ThreadTaggingOptions = {}, workers = 2, id = "thread-tagging"): EmbedderPool {
  const pool = new EmbedderPool({
    id,
    dimensions: TAG_DIMENSIONS,
    workers,
    embedder: { module: new URL("../support/workerEmbedders.js", import.meta.url).href, exportName: "createThreadTaggingEmbedder", options },
  });
  pools.push(pool);
  return pool;
}

const texts = (n: number) => Array.from({ length: n }, (_, i) => "x".repeat(i + 1));

describe("EmbedderPool", () => {
  it("splits a batch across its workers and returns one vector per text, in order", async () => {
    const pool = taggingPool({ delayMs: 30 });
    await pool.ready();
    expect(pool.threads).toBe(2);
    const vectors = await pool.embed(texts(64));
    expect(vectors).toHaveLength(64);
    expect(vectors.map(lengthOf)).toEqual(texts(64).map((t) => t.length));
    expect(new Set(vectors.map(threadOf)).size).toBe(2);
    expect(new Set(vectors.map(threadOf)).has(0)).toBe(false); // never the main thread
  });

  it("runs single texts from concurrent callers on different workers", async () => {
    const pool = taggingPool({ delayMs: 30 });
    await pool.ready();
    const answers = await Promise.all(["a", "bb", "ccc", "dddd"].map((t) => pool.embed([t])));
    expect(answers.map((v) => lengthOf(v[0]!))).toEqual([1, 2, 3, 4]);
    expect(new Set(answers.map((v) => threadOf(v[0]!))).size).toBe(2);
  });

  it("answers an empty batch with no vectors and starts no worker", async () => {
    const pool = taggingPool();
    expect(await pool.embed([])).toEqual([]);
    expect(pool.threads).toBe(0);
  });

  it("starts workers as work needs them: none before, one for one text, all for a batch", async () => {
    const pool = taggingPool({}, 3);
    expect(pool.threads).toBe(0);
    await pool.embed(["first"]);
    expect(pool.threads).toBe(1);
    await pool.embed(texts(30));
    expect(pool.threads).toBe(3);
  });

  it("fails the texts a crashing worker held with EMBEDDER_FAILED, then serves on with a new worker", async () => {
    const pool = taggingPool({ exitOn: "crash" });
    const error = await pool.embed(["fine", "crash"]).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "EMBEDDER_FAILED")).toBe(true);
    expect((error as Error).message).toMatch(/stopped \(exit code 7\) while embedding 1 text\(s\).*--embed-workers 1/);
    expect((await pool.embed(texts(8))).map(lengthOf)).toEqual(texts(8).map((t) => t.length));
    expect(pool.threads).toBe(2);
  });

  it("reports an uncaught exception in a worker with its message", async () => {
    const pool = taggingPool({ throwOn: "throw" });
    const error = await pool.embed(["throw"]).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "EMBEDDER_FAILED")).toBe(true);
    expect((error as Error).message).toContain("crashed: kaboom");
    expect(await pool.embed(["ok"])).toHaveLength(1);
  });

  it("passes an embedder's own failure on as EMBEDDER_FAILED and keeps the worker", async () => {
    const pool = taggingPool({ rejectOn: "bad" });
    await pool.ready();
    const error = await pool.embed(["bad"]).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "EMBEDDER_FAILED")).toBe(true);
    expect((error as Error).message).toContain('cannot embed "bad"');
    const [vector] = await pool.embed(["good"]);
    expect(pool.threads).toBe(2);
    expect(lengthOf(vector!)).toBe(4);
  });

  it("fails every waiting call when the model cannot load, and tries again on the next call", async () => {
    const pool = taggingPool({ failLoad: true });
    const [one, two] = await Promise.all([pool.embed(["a"]).catch((e: unknown) => e), pool.embed(texts(10)).catch((e: unknown) => e)]);
    for (const error of [one, two]) {
      expect(isLlamadeskError(error, "EMBEDDER_FAILED")).toBe(true);
      expect((error as Error).message).toContain("the model file is missing (test)");
    }
    await expect(pool.ready()).rejects.toThrow("the model file is missing (test)");
  });

  it("refuses workers whose embedder is not the one the pool stands for", async () => {
    const pool = taggingPool({ id: "some-other-model" });
    const error = await pool.embed(["a"]).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "EMBEDDER_FAILED")).toBe(true);
    expect((error as Error).message).toContain('loaded "some-other-model" (4-d), but the pool is for "thread-tagging" (4-d)');
  });

  it("stops on abort: the call rejects with the signal's reason and its waiting texts are dropped", async () => {
    const pool = taggingPool({ delayMs: 200 }, 1);
    await pool.ready();
    const controller = new AbortController();
    const call = pool.embed(texts(64), { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    expect(await call).toMatchObject({ name: "AbortError" });
    // The one worker finishes the job it had, then is free at once: the 3 other jobs were dropped.
    const [vector] = await pool.embed(["after"]);
    expect(lengthOf(vector!)).toBe(5);
    await expect(pool.embed(["x"], { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("terminates its workers on dispose, fails calls in flight, and refuses new ones", async () => {
    const pool = taggingPool({ delayMs: 500 });
    await pool.ready();
    const inFlight = pool.embed(texts(4)).catch((e: unknown) => e);
    await pool.dispose();
    expect(pool.threads).toBe(0);
    expect(isLlamadeskError(await inFlight, "EMBEDDER_FAILED")).toBe(true);
    expect(isLlamadeskError(await pool.embed(["a"]).catch((e: unknown) => e), "EMBEDDER_FAILED")).toBe(true);
    await pool.dispose(); // a second dispose is harmless
  });

  it("rejects a pool size that is not a whole number of at least 1", () => {
    for (const workers of [0, -1, 1.5]) {
      expect(() => taggingPool({}, workers)).toThrow(/workers must be a whole number of at least 1/);
    }
  });
});

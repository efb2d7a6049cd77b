import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { createEmbedder } from "../../src/knowledge/createEmbedder.js";
import { EmbedderPool } from "../../src/knowledge/pool/EmbedderPool.js";
import { useLitePool } from "../../src/knowledge/pool/useLitePool.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";

// The real model in two worker threads against the same model in this thread.
describe("USE-lite in a worker pool", () => {
  const single = new UseLiteEmbedder();
  const pool = useLitePool({ workers: 2 });
  afterAll(async () => {
    await pool.dispose();
    await single.dispose();
  });

  it("gives the single-thread embedder's vectors (to 1e-6) for the sample FAQ, whatever the batch", async () => {
    const texts: string[] = ["", "   ", "Ünïcödé — 日本語のテキスト 🙂", "word ".repeat(400)];
    for await (const doc of new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] }).pull()) texts.push(`${doc.title}\n${doc.text}`);
    expect(texts.length).toBeGreaterThan(40);
    const expected = await single.embed(texts);
    const batched = await pool.embed(texts);
    const oneByOne = await Promise.all(texts.slice(0, 12).map(async (text) => (await pool.embed([text]))[0]!));
    expect(pool.id).toBe(single.id);
    expect(pool.dimensions).toBe(single.dimensions);
    for (const vectors of [batched, oneByOne]) {
      vectors.forEach((vector, i) => {
        expect(vector).toHaveLength(512);
        const worst = Math.max(...vector.map((x, d) => Math.abs(x - expected[i]![d]!)));
        expect(worst, `text ${i}`).toBeLessThan(1e-6);
      });
    }
    expect(pool.threads).toBe(2);
  }, 300_000); // three copies of the model load and embed ~70 texts: minutes on a busy 2-core machine

  it("is what createEmbedder builds by default (one worker per core), and embedWorkers 1 embeds in this thread", async () => {
    const byDefault = await createEmbedder();
    const inThread = await createEmbedder({ workers: 1 });
    try {
      expect(byDefault).toBeInstanceOf(availableParallelism() > 1 ? EmbedderPool : UseLiteEmbedder);
      if (byDefault instanceof EmbedderPool) expect(byDefault.size).toBe(availableParallelism());
      expect(byDefault.id).toBe("use-lite-512");
      expect(inThread).toBeInstanceOf(UseLiteEmbedder);
      await expect(createEmbedder({ workers: 0 })).rejects.toThrow(/embedWorkers must be a whole number of at least 1/);
    } finally {
      await byDefault.dispose?.();
      await inThread.dispose?.();
    }
  });
});

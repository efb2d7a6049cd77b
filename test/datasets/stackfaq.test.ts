import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFaqIndex } from "../../bench/datasets/buildFaqIndex.js";
import { loadStackFaq } from "../../bench/datasets/stackfaq.js";
import { evaluate, type EvalMetrics } from "../../src/eval/evaluate.js";
import type { EvalQuery } from "../../src/eval/readQueriesFile.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { HybridRetriever, type RetrievalMode } from "../../src/retrieval/HybridRetriever.js";
import { CachingEmbedder } from "../../src/testing/CachingEmbedder.js";

// Retrieval quality on real data (StackFAQ: 719 entries, 1,249 paraphrased queries),
// through the real connector, USE-lite and hnswlib. The targets come from the issue.
describe("retrieval quality on StackFAQ", () => {
  const embedder = new CachingEmbedder(new UseLiteEmbedder());
  const results = {} as Record<RetrievalMode, EvalMetrics>;
  let queries: EvalQuery[];
  let retriever: HybridRetriever;

  beforeAll(async () => {
    const data = await loadStackFaq();
    queries = data.queries;
    const { store, summary } = await buildFaqIndex(data.entries, embedder);
    expect(summary.issues).toEqual([]);
    retriever = new HybridRetriever({ store, embedder });
    // Embed all queries in batches once; every mode then reads them from the cache.
    await embedder.embed(queries.map((q) => q.query));
    for (const mode of ["hybrid", "vector", "lexical"] as const) {
      results[mode] = await evaluate(queries, (q, k) => retriever.retrieve(q, { k, mode }), { k: 10 });
    }
    console.log(
      Object.entries(results)
        .map(([mode, m]) => `${mode.padEnd(8)} MRR@10 ${m.mrr.toFixed(3)}  R@1 ${m.recall_at_1.toFixed(3)}  R@5 ${m.recall_at_5.toFixed(3)}`)
        .join("\n"),
    );
  }, 600_000);
  afterAll(async () => {
    await embedder.dispose();
  });

  it("evaluates every paraphrase query", () => {
    expect(queries).toHaveLength(1249);
    expect(results.hybrid.queries).toBe(1249);
  });

  it("hybrid reaches MRR >= 0.85 and Recall@5 >= 0.95", () => {
    expect(results.hybrid.mrr).toBeGreaterThanOrEqual(0.85);
    expect(results.hybrid.recall_at_5).toBeGreaterThanOrEqual(0.95);
  });

  it("hybrid beats BM25 alone and vector alone on every metric", () => {
    for (const single of [results.lexical, results.vector]) {
      expect(results.hybrid.mrr).toBeGreaterThan(single.mrr);
      expect(results.hybrid.recall_at_1).toBeGreaterThan(single.recall_at_1);
      expect(results.hybrid.recall_at_5).toBeGreaterThan(single.recall_at_5);
      expect(results.hybrid.recall_at_k).toBeGreaterThanOrEqual(single.recall_at_k);
    }
  });

  it("BM25 alone is at least the dataset's published floor (MRR 0.767)", () => {
    expect(results.lexical.mrr).toBeGreaterThanOrEqual(0.767);
  });
});

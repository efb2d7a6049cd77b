import type { Passage } from "../types.js";
import type { EvalQuery } from "./readQueriesFile.js";

export interface EvalMiss {
  query: string;
  relevant: string[];
  /** 1-based rank of the first relevant doc, or null when none is in the top k. */
  rank: number | null;
  /** Doc ids returned, best first. */
  retrieved: string[];
}

export interface EvalMetrics {
  queries: number;
  k: number;
  /** Mean reciprocal rank of the first relevant doc within the top k (0 when absent). */
  mrr: number;
  recall_at_1: number;
  recall_at_5: number;
  recall_at_k: number;
  /** Queries whose first result is not relevant, worst first. */
  misses: EvalMiss[];
}

export interface EvaluateOptions {
  /** Depth of the ranking scored (and at least 5, for recall@5). Defaults to 10. */
  k?: number;
  /** Called after each query, for progress. */
  onQuery?: (done: number, total: number) => void;
}

/**
 * Scores a retriever on labelled queries. Ranks are over distinct docs: several
 * chunks of one doc count once, at the position of the first.
 */
export async function evaluate(
  queries: readonly EvalQuery[],
  retrieve: (query: string, k: number) => Promise<Passage[]>,
  options: EvaluateOptions = {},
): Promise<EvalMetrics> {
  const k = options.k ?? 10;
  const depth = Math.max(k, 5);
  let reciprocal = 0;
  let at1 = 0;
  let at5 = 0;
  let atK = 0;
  const misses: EvalMiss[] = [];
  for (const [i, q] of queries.entries()) {
    const retrieved = [...new Set((await retrieve(q.query, depth)).map((p) => p.docId))];
    const relevant = new Set(q.relevant);
    const index = retrieved.findIndex((id) => relevant.has(id));
    const rank = index >= 0 ? index + 1 : null;
    if (rank !== null && rank <= k) {
      reciprocal += 1 / rank;
      atK++;
    }
    if (rank === 1) at1++;
    if (rank !== null && rank <= 5) at5++;
    if (rank !== 1) misses.push({ query: q.query, relevant: q.relevant, rank, retrieved: retrieved.slice(0, k) });
    options.onQuery?.(i + 1, queries.length);
  }
  const n = queries.length || 1;
  misses.sort((a, b) => (b.rank ?? Infinity) - (a.rank ?? Infinity));
  return { queries: queries.length, k, mrr: reciprocal / n, recall_at_1: at1 / n, recall_at_5: at5 / n, recall_at_k: atK / n, misses };
}

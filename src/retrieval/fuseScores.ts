/** One ranked list's scores for a shared set of candidates (same order as the candidate ids). */
export type ScoreColumn = readonly number[];

/**
 * Weighted sum of min-max normalised scores. Each column is scaled to [0, 1] over
 * the candidate set, so BM25's unbounded scores and cosine similarities mix on one
 * scale; unlike reciprocal-rank fusion, a clear winner in one list keeps its margin.
 * NaN (no score in that list) counts as the column minimum.
 */
export function fuseScores(columns: readonly ScoreColumn[], weights: readonly number[]): number[] {
  const n = columns[0]?.length ?? 0;
  const fused = new Array<number>(n).fill(0);
  columns.forEach((column, c) => {
    const weight = weights[c] ?? 0;
    let min = Infinity;
    let max = -Infinity;
    for (const x of column) {
      if (Number.isNaN(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const span = max - min;
    for (let i = 0; i < n; i++) {
      const x = column[i]!;
      const normalised = Number.isNaN(x) || span <= 0 ? (span <= 0 && !Number.isNaN(x) ? 1 : 0) : (x - min) / span;
      fused[i]! += weight * normalised;
    }
  });
  return fused;
}

/** Reciprocal-rank fusion (Cormack et al. 2009), kept for comparison in evaluations. */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[], k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  }
  return scores;
}

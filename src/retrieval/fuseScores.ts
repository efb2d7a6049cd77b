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

/**
 * Reciprocal-rank fusion over score columns of one candidate set: each column ranks the candidates by its score
 * (ties share the better rank; NaN or a score of 0 or below, meaning "not matched", contributes nothing) and a
 * candidate scores the sum of weight / (k + rank). Only ranks count, so neither signal's scale (BM25 is
 * unbounded, cosines bunch together) can swamp the other.
 */
export function rankFuseScores(columns: readonly ScoreColumn[], weights: readonly number[], k: number): number[] {
  const n = columns[0]?.length ?? 0;
  const fused = new Array<number>(n).fill(0);
  columns.forEach((column, c) => {
    const weight = weights[c] ?? 1;
    const order = [...column.keys()].filter((i) => column[i]! > 0).sort((a, b) => column[b]! - column[a]!);
    let rank = 0;
    order.forEach((i, position) => {
      if (position === 0 || column[i]! < column[order[position - 1]!]!) rank = position + 1;
      fused[i]! += weight / (k + rank);
    });
  });
  return fused;
}

/** Reciprocal-rank fusion (Cormack et al. 2009) of ranked id lists. */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[], k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  }
  return scores;
}

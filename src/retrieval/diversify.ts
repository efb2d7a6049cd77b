export interface DiversifyCandidate {
  id: string;
  score: number;
  /** Terms of the candidate's title (see `tokenize`). */
  titleTerms: ReadonlySet<string>;
}

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998) over title similarity:
 * picks, one at a time, the candidate with the best mix of relevance and novelty
 * against those already picked. Several answers to the same question then share
 * the top of the list with the next-best question instead of filling it, so the
 * right entry is more often among the first few. `lambda` 1 = relevance only.
 */
export function diversify<T extends DiversifyCandidate>(candidates: readonly T[], lambda: number): T[] {
  if (candidates.length <= 1 || lambda >= 1) return [...candidates].sort((a, b) => b.score - a.score);
  let min = Infinity;
  let max = -Infinity;
  for (const c of candidates) {
    min = Math.min(min, c.score);
    max = Math.max(max, c.score);
  }
  const span = max - min || 1;
  const rest = new Set(candidates);
  const picked: T[] = [];
  // Highest similarity of each remaining candidate to anything picked so far.
  const redundancy = new Map<T, number>();
  while (rest.size > 0) {
    let best: T | undefined;
    let bestValue = -Infinity;
    for (const c of rest) {
      const value = lambda * ((c.score - min) / span) - (1 - lambda) * (redundancy.get(c) ?? 0);
      if (value > bestValue) {
        bestValue = value;
        best = c;
      }
    }
    picked.push(best!);
    rest.delete(best!);
    for (const c of rest) redundancy.set(c, Math.max(redundancy.get(c) ?? 0, jaccard(c.titleTerms, best!.titleTerms)));
  }
  return picked;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

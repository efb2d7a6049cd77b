import { tokenize } from "./tokenize.js";

/** BM25's parameters, shared by every lexical index so that all stores score alike. */
export interface Bm25Parameters {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation (0 = none, 1 = full). */
  b: number;
  /**
   * How many times a title's terms count. Customers phrase questions like FAQ
   * titles, so a match there says more than one deep in an answer.
   */
  titleWeight: number;
}

export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75, titleWeight: 2 };

/** The terms a chunk is indexed under, with their frequencies (title terms counted `titleWeight` times), and its length. */
export function termFrequencies(title: string, text: string, titleWeight: number): { terms: Map<string, number>; length: number } {
  const terms = new Map<string, number>();
  const titleTerms = tokenize(title);
  for (let i = 0; i < titleWeight; i++) for (const t of titleTerms) terms.set(t, (terms.get(t) ?? 0) + 1);
  for (const t of tokenize(text)) terms.set(t, (terms.get(t) ?? 0) + 1);
  let length = 0;
  for (const tf of terms.values()) length += tf;
  return { terms, length };
}

/** Inverse document frequency of a term found in `df` of `n` documents (never negative). */
export function idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** A term's saturated, length-normalised frequency in a document of `length` when documents average `averageLength`. */
export function saturate(tf: number, length: number, averageLength: number, p: Pick<Bm25Parameters, "k1" | "b">): number {
  return (tf * (p.k1 + 1)) / (tf + p.k1 * (1 - p.b + (p.b * length) / averageLength));
}

import { LlamadeskError } from "../errors.js";

/** A vector with the id of the chunk it embeds. */
export interface VectorItem {
  id: string;
  vector: number[];
}

/** A search hit: the chunk id and its cosine similarity to the query (higher is closer). */
export interface VectorHit {
  id: string;
  score: number;
}

/**
 * Nearest-neighbour search over chunk vectors, with real deletion: a deleted or
 * replaced id is never returned again (LangChain's HNSWLib store cannot do that).
 */
export interface VectorIndex {
  readonly dimensions: number;
  /** Live vectors (deleted ones not counted). */
  readonly size: number;
  /** Adds vectors; an id already present is replaced. */
  upsert(items: readonly VectorItem[]): void;
  /** Removes ids; unknown ids are ignored. Returns how many were removed. */
  delete(ids: readonly string[]): number;
  has(id: string): boolean;
  /** The k nearest live vectors, closest first (fewer when the index holds fewer). */
  search(query: readonly number[], k: number): VectorHit[];
  /** Cosine similarity of the query to each given id (NaN for unknown ids). */
  similarity(query: readonly number[], ids: readonly string[]): number[];
  /**
   * The stored vectors of the given ids, in that order (undefined for unknown ids), to copy them elsewhere
   * without embedding again. Stored vectors are unit length: every cosine similarity is as with the vectors given.
   */
  vectorsOf(ids: readonly string[]): (number[] | undefined)[];
  /** Writes the index into an existing, empty directory. */
  save(dir: string): Promise<void>;
}

/** Cosine similarity of two vectors. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Rejects a vector of the wrong length: it was made by another embedder. */
export function checkDimensions(vector: readonly number[], dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new LlamadeskError(
      "EMBEDDER_MISMATCH",
      `Got a ${vector.length}-dimensional vector for an index of ${dimensions} dimensions. ` +
        "Search and ingest with the embedder that built the index, or rebuild it with --rebuild.",
    );
  }
}

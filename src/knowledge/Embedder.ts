/** Turns texts into vectors. One implementation per model; the index remembers which one built it. */
export interface Embedder {
  /**
   * Identifies the model and its settings, e.g. "use-lite-512". Stored in the index
   * manifest: an index can only be searched with the embedder that built it.
   */
  readonly id: string;
  /** Length of every vector `embed` returns. */
  readonly dimensions: number;
  /** Embeds a batch; returns one vector per text, in order. Vectors are L2-normalised. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
  /** Frees the model. Defaults to a no-op for embedders that hold nothing. */
  dispose?(): Promise<void>;
}

export interface EmbedOptions {
  signal?: AbortSignal;
}

/** Scales a vector to unit length in place and returns it (a zero vector is left as is). */
export function normalize(vector: number[]): number[] {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}

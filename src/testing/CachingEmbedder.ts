import type { EmbedOptions, Embedder } from "../knowledge/Embedder.js";

/**
 * Remembers vectors by text, so evaluations that run the same queries in several
 * retrieval modes embed each query once. Same id and dimensions as the wrapped embedder.
 */
export class CachingEmbedder implements Embedder {
  private readonly cache = new Map<string, number[]>();

  constructor(private readonly inner: Embedder) {}

  get id(): string {
    return this.inner.id;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  async embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]> {
    const missing = [...new Set(texts.filter((t) => !this.cache.has(t)))];
    if (missing.length > 0) {
      const vectors = await this.inner.embed(missing, options);
      missing.forEach((t, i) => this.cache.set(t, vectors[i]!));
    }
    return texts.map((t) => this.cache.get(t)!);
  }

  async dispose(): Promise<void> {
    this.cache.clear();
    await this.inner.dispose?.();
  }
}

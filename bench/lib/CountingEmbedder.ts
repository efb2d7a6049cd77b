import type { EmbedOptions, Embedder } from "../../src/knowledge/Embedder.js";

/** Wraps an embedder and counts calls and texts, so a bench can show what was (not) embedded. */
export class CountingEmbedder implements Embedder {
  calls = 0;
  texts = 0;

  constructor(private readonly inner: Embedder) {}

  get id(): string {
    return this.inner.id;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]> {
    this.calls++;
    this.texts += texts.length;
    return this.inner.embed(texts, options);
  }
}

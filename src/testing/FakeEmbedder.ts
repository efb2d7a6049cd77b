import { createHash } from "node:crypto";
import { normalize, type EmbedOptions, type Embedder } from "../knowledge/Embedder.js";
import { tokenize } from "../knowledge/tokenize.js";

export interface FakeEmbedderOptions {
  /** Defaults to 64. */
  dimensions?: number;
  /** Defaults to "fake-bow-<dimensions>". */
  id?: string;
}

/**
 * A deterministic, instant embedder for tests: a hashed bag of words, so texts that
 * share words get close vectors. It records every call, so tests can assert what was
 * (or was not) embedded.
 */
export class FakeEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Every batch passed to `embed`, in order. */
  readonly calls: string[][] = [];

  constructor(options: FakeEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 64;
    this.id = options.id ?? `fake-bow-${this.dimensions}`;
  }

  /** Total texts embedded so far. */
  get embeddedCount(): number {
    return this.calls.reduce((n, batch) => n + batch.length, 0);
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    this.calls.push([...texts]);
    return texts.map((text) => this.vector(text));
  }

  private vector(text: string): number[] {
    const v: number[] = new Array<number>(this.dimensions).fill(0);
    const terms = tokenize(text);
    for (const term of terms.length > 0 ? terms : [text]) {
      const h = createHash("md5").update(term).digest();
      v[h.readUInt32LE(0) % this.dimensions]! += h[4]! & 1 ? 1 : -1;
    }
    if (!v.some((x) => x !== 0)) v[0] = 1;
    return normalize(v);
  }
}

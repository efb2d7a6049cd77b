import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { EmbedOptions, Embedder } from "../../src/knowledge/Embedder.js";

/**
 * Keeps vectors by text in memory and in a file between runs, so a bench that embeds tens of thousands of dataset
 * texts pays for it once per machine. Same id and dimensions as the wrapped embedder; `save()` writes new vectors.
 */
export class FileCachedEmbedder implements Embedder {
  private readonly cache = new Map<string, Float32Array>();
  private loaded: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly inner: Embedder,
    private readonly path: string,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  async embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]> {
    await (this.loaded ??= this.load());
    const missing = [...new Set(texts.filter((t) => !this.cache.has(t)))];
    for (let i = 0; i < missing.length; i += 256) {
      const batch = missing.slice(i, i + 256);
      const vectors = await this.inner.embed(batch, options);
      batch.forEach((t, j) => this.cache.set(t, Float32Array.from(vectors[j]!)));
      this.dirty = true;
    }
    return texts.map((t) => Array.from(this.cache.get(t)!));
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const texts = [...this.cache.keys()];
    const data = new Float32Array(texts.length * this.dimensions);
    texts.forEach((t, i) => data.set(this.cache.get(t)!, i * this.dimensions));
    await mkdir(dirname(this.path), { recursive: true });
    // Written beside, then renamed: a reader never sees half a file (and a pair that does not match is ignored).
    const tmp = `.${process.pid}.tmp`;
    await writeFile(`${this.path}.json${tmp}`, JSON.stringify({ id: this.id, dimensions: this.dimensions, texts }));
    await writeFile(`${this.path}.f32${tmp}`, Buffer.from(data.buffer));
    await rename(`${this.path}.f32${tmp}`, `${this.path}.f32`);
    await rename(`${this.path}.json${tmp}`, `${this.path}.json`);
    this.dirty = false;
  }

  private async load(): Promise<void> {
    try {
      const meta = JSON.parse(await readFile(`${this.path}.json`, "utf8")) as { id: string; dimensions: number; texts: string[] };
      if (meta.id !== this.id || meta.dimensions !== this.dimensions) return;
      const raw = await readFile(`${this.path}.f32`);
      if (raw.byteLength !== meta.texts.length * meta.dimensions * 4) return;
      const data = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
      meta.texts.forEach((t, i) => this.cache.set(t, data.slice(i * meta.dimensions, (i + 1) * meta.dimensions)));
    } catch {
      // No cache yet (or an unreadable one): embed everything.
    }
  }

  async dispose(): Promise<void> {
    await this.save();
    await this.inner.dispose?.();
  }
}

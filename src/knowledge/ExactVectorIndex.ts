import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkDimensions, type VectorHit, type VectorIndex, type VectorItem } from "./VectorIndex.js";

const FILE = "vectors.json";

/**
 * Exact (brute-force) search in plain JavaScript: the reference an approximate index is
 * measured against, and fine for knowledge bases of a few thousand chunks. Vectors are
 * stored unit-length as Float32Array, so a similarity is one dot product.
 */
export class ExactVectorIndex implements VectorIndex {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(readonly dimensions: number) {}

  static async load(dir: string, dimensions: number): Promise<ExactVectorIndex> {
    const index = new ExactVectorIndex(dimensions);
    const items = JSON.parse(await readFile(join(dir, FILE), "utf8")) as VectorItem[];
    index.upsert(items);
    return index;
  }

  get size(): number {
    return this.vectors.size;
  }

  upsert(items: readonly VectorItem[]): void {
    for (const { id, vector } of items) {
      checkDimensions(vector, this.dimensions);
      this.vectors.set(id, unit(vector));
    }
  }

  delete(ids: readonly string[]): number {
    let removed = 0;
    for (const id of ids) if (this.vectors.delete(id)) removed++;
    return removed;
  }

  has(id: string): boolean {
    return this.vectors.has(id);
  }

  search(query: readonly number[], k: number): VectorHit[] {
    checkDimensions(query, this.dimensions);
    const q = unit(query);
    // Keep the k best in a small sorted array: no sort of every hit.
    const best: VectorHit[] = [];
    for (const [id, vector] of this.vectors) {
      const score = dot(q, vector);
      if (best.length === k && score <= best[k - 1]!.score) continue;
      let i = best.length;
      while (i > 0 && best[i - 1]!.score < score) i--;
      best.splice(i, 0, { id, score });
      if (best.length > k) best.pop();
    }
    return best;
  }

  similarity(query: readonly number[], ids: readonly string[]): number[] {
    const q = unit(query);
    return ids.map((id) => {
      const vector = this.vectors.get(id);
      return vector ? dot(q, vector) : Number.NaN;
    });
  }

  vectorsOf(ids: readonly string[]): (number[] | undefined)[] {
    return ids.map((id) => {
      const vector = this.vectors.get(id);
      return vector && Array.from(vector);
    });
  }

  async save(dir: string): Promise<void> {
    const items = [...this.vectors].map(([id, vector]) => ({ id, vector: Array.from(vector) }));
    await writeFile(join(dir, FILE), JSON.stringify(items));
  }
}

function unit(vector: readonly number[]): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  return Float32Array.from(vector, (x) => x / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

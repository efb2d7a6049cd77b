import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LlamadeskError } from "../errors.js";
import { cosine, type VectorHit, type VectorIndex, type VectorItem } from "./VectorIndex.js";

const FILE = "vectors.json";

/**
 * Exact (brute-force) search in plain JavaScript. The reference every approximate
 * index is measured against, and fine for knowledge bases of a few thousand chunks.
 */
export class ExactVectorIndex implements VectorIndex {
  private readonly vectors = new Map<string, number[]>();

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
      this.vectors.set(id, [...vector]);
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
    const hits: VectorHit[] = [];
    for (const [id, vector] of this.vectors) hits.push({ id, score: cosine(query, vector) });
    hits.sort((a, b) => b.score - a.score);
    return hits.slice(0, k);
  }

  similarity(query: readonly number[], ids: readonly string[]): number[] {
    return ids.map((id) => {
      const vector = this.vectors.get(id);
      return vector ? cosine(query, vector) : Number.NaN;
    });
  }

  async save(dir: string): Promise<void> {
    const items = [...this.vectors].map(([id, vector]) => ({ id, vector }));
    await writeFile(join(dir, FILE), JSON.stringify(items));
  }
}

export function checkDimensions(vector: readonly number[], dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new LlamadeskError(
      "EMBEDDER_MISMATCH",
      `Got a ${vector.length}-dimensional vector for an index of ${dimensions} dimensions. ` +
        "Search and ingest with the embedder that built the index, or rebuild it with --rebuild.",
    );
  }
}

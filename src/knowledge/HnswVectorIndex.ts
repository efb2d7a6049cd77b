import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import hnswlib from "hnswlib-node";
import { LlamadeskError } from "../errors.js";
import { checkDimensions, cosine, type VectorHit, type VectorIndex, type VectorItem } from "./VectorIndex.js";

const GRAPH_FILE = "hnsw.bin";
const LABELS_FILE = "hnsw-labels.json";

export interface HnswVectorIndexOptions {
  /** Graph degree: more links, better recall, more memory. Defaults to 16. */
  m?: number;
  /** Candidate list size while building. Defaults to 200. */
  efConstruction?: number;
  /**
   * Candidate list size while searching (raised to k when k is larger). Defaults to 192:
   * recall@10 0.98 at 100k structured 512-d vectors, 0.92 ms a query with hnswlib built
   * for the CPU (`npm run hnswlib:native`), ~1.4 ms with the portable build (128: 0.95).
   */
  efSearch?: number;
  /**
   * Rebuild the graph without tombstones once deleted vectors exceed this share of
   * all stored vectors (and number at least 64). Defaults to 0.25.
   */
  compactionThreshold?: number;
  /** Seed for the level generator, so builds are repeatable. Defaults to 100. */
  seed?: number;
}

interface LabelsFile {
  options: Required<HnswVectorIndexOptions>;
  nextLabel: number;
  capacity: number;
  /** Deleted vectors still in the graph file. */
  tombstones: number;
  /** [chunk id, hnswlib label] of every live vector. */
  labels: [string, number][];
}

/**
 * Approximate nearest-neighbour search on hnswlib (cosine space). hnswlib labels are
 * integers, so chunk ids map to labels here; a replaced or deleted id is marked
 * deleted in the graph and the graph is compacted when tombstones pile up.
 */
export class HnswVectorIndex implements VectorIndex {
  private graph: hnswlib.HierarchicalNSW;
  private readonly options: Required<HnswVectorIndexOptions>;
  private readonly labelOf = new Map<string, number>();
  private readonly idOf = new Map<number, string>();
  private nextLabel = 0;
  private capacity: number;
  private tombstones = 0;

  constructor(
    readonly dimensions: number,
    options: HnswVectorIndexOptions = {},
  ) {
    this.options = {
      m: options.m ?? 16,
      efConstruction: options.efConstruction ?? 200,
      efSearch: options.efSearch ?? 192,
      compactionThreshold: options.compactionThreshold ?? 0.25,
      seed: options.seed ?? 100,
    };
    this.capacity = 1024;
    this.graph = this.newGraph(this.capacity);
  }

  /**
   * Loads a saved index. The graph's build parameters (m, efConstruction, seed) are
   * fixed by the saved graph; search-time options given here (efSearch,
   * compactionThreshold) override the saved ones, so they can be tuned without a rebuild.
   */
  static async load(dir: string, dimensions: number, options: Pick<HnswVectorIndexOptions, "efSearch" | "compactionThreshold"> = {}): Promise<HnswVectorIndex> {
    const saved = JSON.parse(await readFile(join(dir, LABELS_FILE), "utf8")) as LabelsFile;
    const index = new HnswVectorIndex(dimensions, { ...saved.options, ...definedOnly(options) });
    const graph = new hnswlib.HierarchicalNSW("cosine", dimensions);
    await graph.readIndex(join(dir, GRAPH_FILE));
    if (graph.getCurrentCount() !== saved.labels.length + saved.tombstones) {
      throw new LlamadeskError(
        "INDEX_CORRUPT",
        `The vector graph in ${dir} holds ${graph.getCurrentCount()} vectors but its label file accounts for ${saved.labels.length + saved.tombstones}. Rebuild the index with \`llamadesk ingest --rebuild\`.`,
      );
    }
    graph.setEf(index.options.efSearch);
    index.graph = graph;
    index.capacity = graph.getMaxElements();
    index.nextLabel = saved.nextLabel;
    index.tombstones = saved.tombstones;
    for (const [id, label] of saved.labels) {
      index.labelOf.set(id, label);
      index.idOf.set(label, id);
    }
    return index;
  }

  get size(): number {
    return this.labelOf.size;
  }

  /** Candidate list size used by `search` (at least k). */
  get efSearch(): number {
    return this.options.efSearch;
  }

  /** Deleted vectors still occupying the graph (until the next compaction). */
  get deletedCount(): number {
    return this.tombstones;
  }

  upsert(items: readonly VectorItem[]): void {
    this.reserve(this.nextLabel + items.length);
    for (const { id, vector } of items) {
      checkDimensions(vector, this.dimensions);
      this.remove(id);
      const label = this.nextLabel++;
      this.graph.addPoint([...vector], label);
      this.labelOf.set(id, label);
      this.idOf.set(label, id);
    }
    this.compactIfNeeded();
  }

  delete(ids: readonly string[]): number {
    let removed = 0;
    for (const id of ids) if (this.remove(id)) removed++;
    this.compactIfNeeded();
    return removed;
  }

  has(id: string): boolean {
    return this.labelOf.has(id);
  }

  search(query: readonly number[], k: number): VectorHit[] {
    checkDimensions(query, this.dimensions);
    const n = Math.min(k, this.labelOf.size);
    if (n <= 0) return [];
    this.graph.setEf(Math.max(this.options.efSearch, n));
    const { neighbors, distances } = this.graph.searchKnn([...query], n);
    return neighbors.map((label, i) => ({ id: this.idOf.get(label)!, score: 1 - distances[i]! }));
  }

  similarity(query: readonly number[], ids: readonly string[]): number[] {
    return ids.map((id) => {
      const label = this.labelOf.get(id);
      return label === undefined ? Number.NaN : cosine(query, this.graph.getPoint(label));
    });
  }

  vectorsOf(ids: readonly string[]): (number[] | undefined)[] {
    return ids.map((id) => {
      const label = this.labelOf.get(id);
      // hnswlib's cosine space keeps vectors normalised: getPoint gives the unit vector.
      return label === undefined ? undefined : this.graph.getPoint(label);
    });
  }

  async save(dir: string): Promise<void> {
    await this.graph.writeIndex(join(dir, GRAPH_FILE));
    const labels: LabelsFile = {
      options: this.options,
      nextLabel: this.nextLabel,
      capacity: this.capacity,
      tombstones: this.tombstones,
      labels: [...this.labelOf],
    };
    await writeFile(join(dir, LABELS_FILE), JSON.stringify(labels));
  }

  /** Rebuilds the graph from the live vectors only, dropping every tombstone. */
  compact(): void {
    const live = [...this.labelOf].map(([id, label]) => ({ id, vector: this.graph.getPoint(label) }));
    this.capacity = Math.max(1024, live.length * 2);
    this.graph = this.newGraph(this.capacity);
    this.labelOf.clear();
    this.idOf.clear();
    this.nextLabel = 0;
    this.tombstones = 0;
    for (const { id, vector } of live) {
      const label = this.nextLabel++;
      this.graph.addPoint(vector, label);
      this.labelOf.set(id, label);
      this.idOf.set(label, id);
    }
  }

  private remove(id: string): boolean {
    const label = this.labelOf.get(id);
    if (label === undefined) return false;
    this.graph.markDelete(label);
    this.labelOf.delete(id);
    this.idOf.delete(label);
    this.tombstones++;
    return true;
  }

  private compactIfNeeded(): void {
    const stored = this.labelOf.size + this.tombstones;
    if (this.tombstones >= 64 && this.tombstones > stored * this.options.compactionThreshold) this.compact();
  }

  private reserve(needed: number): void {
    if (needed <= this.capacity) return;
    while (this.capacity < needed) this.capacity *= 2;
    this.graph.resizeIndex(this.capacity);
  }

  private newGraph(capacity: number): hnswlib.HierarchicalNSW {
    const graph = new hnswlib.HierarchicalNSW("cosine", this.dimensions);
    graph.initIndex({
      maxElements: capacity,
      m: this.options.m,
      efConstruction: this.options.efConstruction,
      randomSeed: this.options.seed,
    });
    graph.setEf(this.options.efSearch);
    return graph;
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import { watch, type FSWatcher } from "node:fs";
import { LlamadeskError } from "../errors.js";
import { checkChanges } from "./checkChanges.js";
import type { Chunk } from "./chunkDoc.js";
import { currentGeneration } from "./indexDirectory.js";
import { KnowledgeIndex, type KnowledgeIndexOptions, type LoadKnowledgeIndexOptions } from "./KnowledgeIndex.js";
import type {
  AcquireWriterOptions,
  ChunkHit,
  ChunkScores,
  DocUpsert,
  EmbedderIdentity,
  KnowledgeChange,
  KnowledgeChanges,
  KnowledgeCounts,
  KnowledgeStore,
  PassageText,
  StoredDoc,
  WriterLock,
} from "./KnowledgeStore.js";
import { acquireWriterLock } from "./writerLock.js";

export interface LocalKnowledgeStoreOptions {
  /** The index directory (generations and a `CURRENT` file naming the live one). Without one, the store lives in memory only (tests, benchmarks). */
  dir?: string;
  /**
   * Refuses an index built by another embedder; a new index records it. Without it, the index is read
   * as it is (fine for reading docs, not for searching or writing vectors), and cannot be created.
   */
  embedder?: EmbedderIdentity;
  /** When no index exists yet: start an empty one (saved by the first `apply`) instead of failing with `INDEX_NOT_FOUND`. Defaults to false. */
  create?: boolean;
  /** Start empty whatever is on disk (a rebuild, which may change the embedder); the first `apply` replaces the index. Defaults to false. */
  rebuild?: boolean;
  /** For a new index: "hnsw" (approximate, scales) or "exact". Defaults to "hnsw". */
  vectorIndex?: KnowledgeIndexOptions["vectorIndex"];
  /** HNSW parameters: for a new index, and the search-time ones for a loaded one. */
  hnsw?: KnowledgeIndexOptions["hnsw"];
  /**
   * How often to look at `CURRENT` besides watching the directory (file-change events are not
   * delivered on every filesystem, e.g. a network share), in ms. Defaults to 5,000.
   */
  pollMs?: number;
}

/**
 * The embedded knowledge store: hnswlib vectors, BM25 and a docstore held in memory and saved as
 * generation directories (a new one per `apply`, switched to with an atomic rename of `CURRENT`).
 * Other processes' saves are taken in when `CURRENT` changes: the directory is watched, and polled.
 */
export class LocalKnowledgeStore implements KnowledgeStore {
  readonly location: string;
  private index: KnowledgeIndex;
  /** The generation `index` was loaded from or saved as; undefined for a new, unsaved index. */
  private generation: string | undefined;
  private readonly listeners = new Set<(event: KnowledgeChange) => void>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A generation that failed to load: reported once, not at every look. */
  private failed: string | undefined;
  private refreshing: Promise<void> | undefined;
  private memoryWriter: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: LocalKnowledgeStoreOptions,
    loaded: { index: KnowledgeIndex; generation: string | undefined },
  ) {
    this.location = options.dir ?? "(in memory)";
    this.index = loaded.index;
    this.generation = loaded.generation;
  }

  static async open(options: LocalKnowledgeStoreOptions): Promise<LocalKnowledgeStore> {
    const generation = options.rebuild || options.dir === undefined ? undefined : await currentGeneration(options.dir);
    if (generation === undefined) {
      if (!options.create && !options.rebuild && options.dir !== undefined) {
        throw new LlamadeskError(
          "INDEX_NOT_FOUND",
          `No llamadesk index in ${options.dir}. Build one with \`llamadesk ingest <your FAQ files> --index ${options.dir}\`.`,
        );
      }
      return new LocalKnowledgeStore(options, { index: LocalKnowledgeStore.empty(options), generation: undefined });
    }
    return new LocalKnowledgeStore(options, { index: await LocalKnowledgeStore.load(options), generation });
  }

  get embedder(): EmbedderIdentity {
    return this.index.embedder;
  }

  async counts(): Promise<KnowledgeCounts> {
    return { docs: this.index.docCount, chunks: this.index.chunkCount };
  }

  async getDocs(ids: readonly string[]): Promise<(StoredDoc | undefined)[]> {
    return ids.map((id) => this.index.getDoc(id));
  }

  async listDocs(filter: { origins?: readonly string[] } = {}): Promise<StoredDoc[]> {
    const origins = filter.origins && new Set(filter.origins);
    return [...this.index.allDocs()].filter((doc) => !origins || origins.has(doc.origin));
  }

  async getPassages(chunkIds: readonly string[]): Promise<(PassageText | undefined)[]> {
    return chunkIds.map((id) => this.index.getPassage(id));
  }

  async searchVectors(vector: readonly number[], k: number): Promise<ChunkHit[]> {
    return this.index.chunkCount === 0 ? [] : this.index.vectors.search(vector, k);
  }

  async searchLexical(query: string, k: number): Promise<ChunkHit[]> {
    return this.index.lexical.search(query, k);
  }

  async scoreChunks(query: string, vector: readonly number[], chunkIds: readonly string[]): Promise<ChunkScores> {
    const { lexical, vectors } = this.index;
    return { lexical: lexical.scoreAll(query, chunkIds), vector: vectors.similarity(vector, chunkIds), coverage: lexical.coverageAll(query, chunkIds) };
  }

  async syncState(): Promise<Record<string, unknown>> {
    return this.index.syncState();
  }

  /**
   * Every doc with its chunks and their stored vectors, as `apply` takes them: to copy this knowledge
   * into another store without embedding anything again (`llamadesk migrate-to-postgres`). Vectors come
   * unit length, as the index keeps them (cosine similarities are unchanged). A doc's text is its chunks'
   * texts joined (stores keep chunks, not doc texts), so it is the doc's own only for one-chunk docs.
   */
  async *exportDocs(): AsyncGenerator<DocUpsert> {
    // The generation loaded now, whatever is taken in meanwhile: one consistent copy.
    const index = this.index;
    for (const stored of [...index.allDocs()]) {
      const { chunkIds, origin, ...meta } = stored;
      const chunks = chunkIds.map((id) => index.getChunk(id));
      const vectors = index.vectors.vectorsOf(chunkIds);
      const missing = chunkIds.find((id, i) => !chunks[i] || !vectors[i]);
      if (missing !== undefined) {
        throw new LlamadeskError("INDEX_CORRUPT", `The index in ${this.location} lists chunk ${missing} of doc ${stored.id} but lacks its text or vector. Rebuild it with \`llamadesk ingest --rebuild <sources>\`.`);
      }
      const whole = chunks as Chunk[];
      yield { doc: { ...meta, text: whole.map((c) => c.text).join("\n\n") }, origin, chunks: whole, vectors: vectors as number[][] };
    }
  }

  async apply(changes: KnowledgeChanges): Promise<void> {
    checkChanges(changes, changes.replaceAll && this.options.embedder ? this.options.embedder : this.index.embedder);
    const before = this.index;
    const next = changes.replaceAll ? LocalKnowledgeStore.empty(this.options) : this.index;
    const state = changes.syncState ? mergeSyncState(changes.replaceAll ? {} : await before.syncState(), changes.syncState) : undefined;
    for (const id of changes.deletes ?? []) next.remove(id);
    for (const { doc, origin } of changes.metadata ?? []) next.updateMetadata(doc, origin);
    for (const u of changes.upserts ?? []) next.put(u.doc, u.origin, u.chunks, u.vectors.map((v) => [...v]));
    if (state) next.setSyncState(state);
    try {
      if (this.options.dir !== undefined) this.generation = await next.save(this.options.dir);
    } catch (error) {
      // The in-memory index holds changes that never reached the disk: go back to what is saved.
      this.index = this.generation ? await LocalKnowledgeStore.load(this.options) : LocalKnowledgeStore.empty(this.options);
      throw error;
    }
    this.index = next;
    this.emit({ counts: await this.counts() });
  }

  async acquireWriter(options: AcquireWriterOptions): Promise<WriterLock> {
    if (this.options.dir === undefined) return this.memoryLock();
    const lock = await acquireWriterLock(this.options.dir, options);
    try {
      // Another writer may have saved since this store was opened: write on top of its work, not over it.
      if (!this.options.rebuild) await this.refresh();
    } catch (error) {
      await lock.release();
      throw error;
    }
    return lock;
  }

  /** In memory, writers are only this process's: they take turns. */
  private async memoryLock(): Promise<WriterLock> {
    const previous = this.memoryWriter;
    let release!: () => void;
    this.memoryWriter = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    await previous;
    return { release: async () => release() };
  }

  onChange(listener: (event: KnowledgeChange) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startWatching();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    this.stopWatching();
    await this.refreshing;
  }

  /** Loads the live generation when it is not the one in memory. */
  private refresh(): Promise<void> {
    const { dir } = this.options;
    if (dir === undefined) return Promise.resolve();
    this.refreshing ??= (async () => {
      const live = await currentGeneration(dir);
      if (!live || live === this.generation || live === this.failed) return;
      try {
        this.index = await LocalKnowledgeStore.load(this.options);
        this.generation = live;
        this.failed = undefined;
      } catch (error) {
        this.failed = live;
        throw error;
      }
      this.emit({ counts: await this.counts() });
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private startWatching(): void {
    if (this.options.dir === undefined) return;
    const look = () => void this.refresh().catch((error: unknown) => this.emit({ error: error instanceof Error ? error : new Error(String(error)) }));
    try {
      this.watcher = watch(this.options.dir, (_event, name) => {
        if (name === "CURRENT") look();
      });
      this.watcher.on("error", () => this.watcher?.close());
      this.watcher.unref();
    } catch {
      // No directory yet, or no change events here: the poll below still sees saves.
    }
    this.timer = setInterval(look, this.options.pollMs ?? 5_000);
    this.timer.unref();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(event: KnowledgeChange): void {
    for (const listener of this.listeners) listener(event);
  }

  private static empty(options: LocalKnowledgeStoreOptions): KnowledgeIndex {
    if (!options.embedder) throw new Error("LocalKnowledgeStore: an embedder is needed to create an index");
    return KnowledgeIndex.create({
      embedder: options.embedder,
      ...(options.vectorIndex ? { vectorIndex: options.vectorIndex } : {}),
      ...(options.hnsw ? { hnsw: options.hnsw } : {}),
    });
  }

  private static load(options: LocalKnowledgeStoreOptions): Promise<KnowledgeIndex> {
    const load: LoadKnowledgeIndexOptions = options.embedder ? { embedder: options.embedder } : {};
    const { efSearch, compactionThreshold } = options.hnsw ?? {};
    if (efSearch !== undefined || compactionThreshold !== undefined) {
      load.hnsw = { ...(efSearch !== undefined ? { efSearch } : {}), ...(compactionThreshold !== undefined ? { compactionThreshold } : {}) };
    }
    return KnowledgeIndex.load(options.dir!, load);
  }
}

/** Per-source sync state after an apply: the named sources replaced (or removed with `null`), the others kept. */
function mergeSyncState(current: Record<string, unknown>, update: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged = { ...current };
  for (const [source, state] of Object.entries(update)) {
    if (state === null) delete merged[source];
    else merged[source] = state;
  }
  return merged;
}

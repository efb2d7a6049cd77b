import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LlamadeskError } from "../errors.js";
import type { SourceDoc } from "../types.js";
import { Bm25Index } from "./Bm25Index.js";
import type { Chunk } from "./chunkDoc.js";
import { ExactVectorIndex } from "./ExactVectorIndex.js";
import { HnswVectorIndex, type HnswVectorIndexOptions } from "./HnswVectorIndex.js";
import type { EmbedderIdentity, PassageText, StoredDoc } from "./KnowledgeStore.js";
import { currentGeneration, writeGeneration } from "./indexDirectory.js";
import { INDEX_FORMAT, INDEX_FORMAT_VERSION, parseManifest, type IndexManifest, type VectorIndexKind } from "./manifest.js";
import type { VectorIndex } from "./VectorIndex.js";

const SYNC_STATE_FILE = "sync-state.json";

export interface KnowledgeIndexOptions {
  embedder: EmbedderIdentity;
  /** "hnsw" (approximate, scales) or "exact" (brute force, small indexes). Defaults to "hnsw". */
  vectorIndex?: VectorIndexKind;
  /** HNSW parameters for a new index (see HnswVectorIndexOptions for the defaults). */
  hnsw?: HnswVectorIndexOptions;
}

export interface LoadKnowledgeIndexOptions {
  /** Refuse an index built by another embedder (its vectors would be meaningless to this one). */
  embedder?: EmbedderIdentity;
  /** Search-time HNSW options that override the saved ones (efSearch, compactionThreshold). */
  hnsw?: Pick<HnswVectorIndexOptions, "efSearch" | "compactionThreshold">;
}

interface DocstoreFile {
  docs: StoredDoc[];
  chunks: Chunk[];
}

/**
 * Everything retrieval needs, kept consistent: the docstore (docs and chunks), the
 * vector index and the BM25 index. Changes go through `put`/`remove`, which update
 * all three; `save` writes a new generation atomically.
 */
export class KnowledgeIndex {
  readonly lexical = new Bm25Index();
  private readonly docs = new Map<string, StoredDoc>();
  private readonly chunks = new Map<string, Chunk>();
  private createdAt = new Date().toISOString();

  /** The generation this index was loaded from (or last saved as), to carry its sync state into the next save. */
  private loadedFrom: string | undefined;
  /** Sync state set since loading; undefined = keep the loaded generation's. */
  private pendingSyncState: Record<string, unknown> | undefined;

  private constructor(
    readonly embedder: EmbedderIdentity,
    readonly vectorKind: VectorIndexKind,
    readonly vectors: VectorIndex,
  ) {}

  static create(options: KnowledgeIndexOptions): KnowledgeIndex {
    const kind = options.vectorIndex ?? "hnsw";
    const { dimensions } = options.embedder;
    const vectors = kind === "hnsw" ? new HnswVectorIndex(dimensions, options.hnsw) : new ExactVectorIndex(dimensions);
    return new KnowledgeIndex({ id: options.embedder.id, dimensions }, kind, vectors);
  }

  /** Whether `dir` holds a saved index. */
  static async exists(dir: string): Promise<boolean> {
    return (await currentGeneration(dir)) !== undefined;
  }

  /**
   * Loads the index in `dir`. With `embedder`, refuses an index built by another
   * embedder (its vectors would be meaningless to this one).
   */
  static async load(dir: string, options: LoadKnowledgeIndexOptions = {}): Promise<KnowledgeIndex> {
    const generation = await currentGeneration(dir);
    if (!generation) {
      throw new LlamadeskError(
        "INDEX_NOT_FOUND",
        `No llamadesk index in ${dir}. Build one with \`llamadesk ingest <your FAQ files> --index ${dir}\`.`,
      );
    }
    const manifest = await readManifest(generation);
    const wanted = options.embedder;
    if (wanted && (wanted.id !== manifest.embedder.id || wanted.dimensions !== manifest.embedder.dimensions)) {
      throw new LlamadeskError(
        "EMBEDDER_MISMATCH",
        `The index in ${dir} was built with embedder "${manifest.embedder.id}" (${manifest.embedder.dimensions}-d), ` +
          `but "${wanted.id}" (${wanted.dimensions}-d) is configured. Use the same embedder, ` +
          "or rebuild the index with this one: `llamadesk ingest --rebuild <sources>`.",
      );
    }
    const { dimensions } = manifest.embedder;
    const vectors =
      manifest.vectorIndex === "exact"
        ? await ExactVectorIndex.load(generation, dimensions)
        : await HnswVectorIndex.load(generation, dimensions, options.hnsw);
    const index = new KnowledgeIndex(manifest.embedder, manifest.vectorIndex, vectors);
    index.createdAt = manifest.createdAt;
    index.loadedFrom = generation;
    const store = JSON.parse(await readFile(join(generation, "docstore.json"), "utf8")) as DocstoreFile;
    for (const doc of store.docs) index.docs.set(doc.id, doc);
    for (const chunk of store.chunks) {
      index.chunks.set(chunk.id, chunk);
      index.lexical.upsert(chunk);
    }
    if (vectors.size !== index.chunks.size) {
      throw new LlamadeskError(
        "INDEX_CORRUPT",
        `The index in ${dir} has ${index.chunks.size} chunks but ${vectors.size} vectors. Rebuild it with \`llamadesk ingest --rebuild <sources>\`.`,
      );
    }
    return index;
  }

  get docCount(): number {
    return this.docs.size;
  }

  get chunkCount(): number {
    return this.chunks.size;
  }

  getDoc(id: string): StoredDoc | undefined {
    return this.docs.get(id);
  }

  getChunk(id: string): Chunk | undefined {
    return this.chunks.get(id);
  }

  /** A chunk with its doc's kind and source, as retrieval returns it (without scores); undefined for an unknown id. */
  getPassage(chunkId: string): PassageText | undefined {
    const chunk = this.chunks.get(chunkId);
    const doc = chunk && this.docs.get(chunk.docId);
    if (!chunk || !doc) return undefined;
    return {
      chunkId,
      docId: doc.id,
      kind: doc.kind,
      title: chunk.title,
      text: chunk.text,
      ...(doc.url ? { url: doc.url } : {}),
      ...(doc.location ? { location: doc.location } : {}),
    };
  }

  allDocs(): IterableIterator<StoredDoc> {
    return this.docs.values();
  }

  /** Adds or replaces a doc with its chunks and their vectors (one per chunk, same order). */
  put(doc: SourceDoc, origin: string, chunks: readonly Chunk[], vectors: readonly number[][]): void {
    if (chunks.length !== vectors.length) {
      throw new Error(`put(${doc.id}): ${chunks.length} chunks but ${vectors.length} vectors`);
    }
    this.remove(doc.id);
    const { text: _text, thread: _thread, ...meta } = doc;
    this.docs.set(doc.id, { ...meta, chunkIds: chunks.map((c) => c.id), origin });
    chunks.forEach((chunk) => {
      this.chunks.set(chunk.id, chunk);
      this.lexical.upsert(chunk);
    });
    this.vectors.upsert(chunks.map((chunk, i) => ({ id: chunk.id, vector: [...vectors[i]!] })));
  }

  /** Replaces what the docstore says about a doc (location, url, tags) without touching its vectors. */
  updateMetadata(doc: SourceDoc, origin: string): void {
    const stored = this.docs.get(doc.id);
    if (!stored) throw new Error(`updateMetadata: unknown doc ${doc.id}`);
    const { text: _text, thread: _thread, ...meta } = doc;
    this.docs.set(doc.id, { ...meta, chunkIds: stored.chunkIds, origin });
  }

  /** Removes a doc from the docstore and both indexes. Returns whether it was there. */
  remove(docId: string): boolean {
    const stored = this.docs.get(docId);
    if (!stored) return false;
    for (const id of stored.chunkIds) {
      this.chunks.delete(id);
      this.lexical.delete(id);
    }
    this.vectors.delete(stored.chunkIds);
    this.docs.delete(docId);
    return true;
  }

  manifest(): IndexManifest {
    return {
      format: INDEX_FORMAT,
      formatVersion: INDEX_FORMAT_VERSION,
      embedder: this.embedder,
      vectorIndex: this.vectorKind,
      counts: { docs: this.docs.size, chunks: this.chunks.size },
      createdAt: this.createdAt,
      updatedAt: new Date().toISOString(),
    };
  }

  /**
   * What `llamadesk sync` saved with this index (per source: cursors, threads seen), `{}` if nothing.
   * It lives in the index generation itself, so the index and the cursors that produced it are
   * saved together: a crash can never leave a cursor ahead of the docs it stands for.
   */
  async syncState(): Promise<Record<string, unknown>> {
    if (this.pendingSyncState) return this.pendingSyncState;
    if (!this.loadedFrom) return {};
    try {
      return JSON.parse(await readFile(join(this.loadedFrom, SYNC_STATE_FILE), "utf8")) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new LlamadeskError("INDEX_CORRUPT", `Cannot read the sync state in ${this.loadedFrom}: ${(error as Error).message}. Run \`llamadesk sync --full\` to pull everything again.`, { cause: error });
    }
  }

  /** Replaces the sync state; written by the next `save`. */
  setSyncState(state: Record<string, unknown>): void {
    this.pendingSyncState = state;
  }

  /** Writes the index to `dir` as a new generation, and returns its directory; the previous one stays live until the new one is complete. */
  async save(dir: string): Promise<string> {
    const syncState = this.pendingSyncState ?? (this.loadedFrom ? await this.syncState() : undefined);
    this.loadedFrom = await writeGeneration(dir, async (generation) => {
      const store: DocstoreFile = { docs: [...this.docs.values()], chunks: [...this.chunks.values()] };
      await writeFile(join(generation, "docstore.json"), JSON.stringify(store));
      if (syncState && Object.keys(syncState).length > 0) await writeFile(join(generation, SYNC_STATE_FILE), JSON.stringify(syncState));
      await this.vectors.save(generation);
      // The manifest goes last: a generation without one was never finished.
      await writeFile(join(generation, "manifest.json"), `${JSON.stringify(this.manifest(), null, 2)}\n`);
    });
    return this.loadedFrom;
  }
}

/** Reads the manifest of the live generation in `dir` (for `llamadesk status`-style checks). */
export async function readIndexManifest(dir: string): Promise<IndexManifest | undefined> {
  const generation = await currentGeneration(dir);
  return generation ? readManifest(generation) : undefined;
}

async function readManifest(generation: string): Promise<IndexManifest> {
  const path = join(generation, "manifest.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new LlamadeskError("INDEX_CORRUPT", `Cannot read ${path}. Rebuild the index with \`llamadesk ingest --rebuild <sources>\`.`, { cause });
  }
  try {
    return parseManifest(JSON.parse(text), path);
  } catch (error) {
    if (error instanceof LlamadeskError) throw error;
    throw new LlamadeskError("INDEX_CORRUPT", `${path} is not valid JSON. Rebuild the index with \`llamadesk ingest --rebuild <sources>\`.`, { cause: error });
  }
}

import type { Passage, SourceDoc } from "../types.js";
import type { Chunk } from "./chunkDoc.js";
import type { WriterLockHolder, WriterLockOptions } from "./writerLock.js";

/** The embedder a knowledge base is built with, as far as the store cares: vectors of another are meaningless to it. */
export interface EmbedderIdentity {
  id: string;
  dimensions: number;
}

/**
 * A source doc as a store keeps it: everything but its text (its chunks hold that), plus its chunk
 * ids and the connector origin (`<connector name>:<origin>`) that yielded it.
 */
export type StoredDoc = Omit<SourceDoc, "text" | "thread"> & { chunkIds: string[]; origin: string };

/** A chunk as retrieval returns it, without scores. */
export type PassageText = Omit<Passage, "score" | "signals">;

/** A ranked chunk id: cosine similarity (vector search) or BM25 (lexical search); higher is better. */
export interface ChunkHit {
  id: string;
  score: number;
}

/** Exact scores of given chunks for one query, in the order of the ids asked for. */
export interface ChunkScores {
  /** BM25; 0 where nothing matches. */
  lexical: number[];
  /** Cosine similarity to the query vector; NaN for an unknown chunk. */
  vector: number[];
  /** The IDF-weighted share of the query's words each chunk contains (0..1), comparable across queries. */
  coverage: number[];
}

/** A doc to add or replace, with its chunks and one vector per chunk (same order). */
export interface DocUpsert {
  doc: SourceDoc;
  origin: string;
  chunks: readonly Chunk[];
  vectors: readonly (readonly number[])[];
}

/**
 * One atomic change to a knowledge base: after `apply` every reader sees all of it or none of it,
 * and a crash part-way leaves the previous state.
 */
export interface KnowledgeChanges {
  /** Drop everything the store holds first (a rebuild), in the same atomic step. Defaults to false. */
  replaceAll?: boolean;
  /** Docs added or re-embedded. */
  upserts?: readonly DocUpsert[];
  /** Docs whose content is unchanged but whose metadata (location, url, tags, origin) is new: no re-embedding. */
  metadata?: readonly { doc: SourceDoc; origin: string }[];
  /** Doc ids to remove with their chunks, vectors and lexical entries. Unknown ids are ignored. */
  deletes?: readonly string[];
  /**
   * Sync state (cursors, threads seen) per source name, saved with the docs it stands for, so a cursor is
   * never ahead of its docs. Sources not named keep theirs; `null` removes a source's state.
   */
  syncState?: Readonly<Record<string, unknown>>;
}

export interface KnowledgeCounts {
  docs: number;
  chunks: number;
}

/** Who holds a knowledge base's writer lock: a process on a host, doing something. */
export type WriterHolder = WriterLockHolder;

/** How to take a knowledge base's writer lock (see `WriterLockOptions`). */
export type AcquireWriterOptions = Omit<WriterLockOptions, "pollIntervalMs">;

export interface WriterLock {
  /** Frees the knowledge base for the next writer. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * Where a knowledge base lives: its docs, chunks, vectors and lexical index, kept consistent with the
 * sync state that produced them. Everything that reads or writes knowledge (ingest, sync, retrieval,
 * mining, fine-tuning export, the channels) goes through this; `openKnowledgeStore` picks the
 * implementation (a local index directory, or PostgreSQL). Hybrid fusion, the answerability gate and
 * diversification stay above it, so they work the same over every store.
 */
export interface KnowledgeStore {
  /** The embedder the knowledge was built with. */
  readonly embedder: EmbedderIdentity;
  /** Where it is, for messages: "/srv/bot/index" or "postgres://db.example/llamadesk (knowledge "default")". */
  readonly location: string;

  counts(): Promise<KnowledgeCounts>;
  /** Stored docs by id, in the order asked for; undefined for an unknown id. */
  getDocs(ids: readonly string[]): Promise<(StoredDoc | undefined)[]>;
  /** Every stored doc that one of the origins yielded (every doc when `origins` is omitted), in no set order. */
  listDocs(filter?: { origins?: readonly string[] }): Promise<StoredDoc[]>;
  /** Chunks as passages, in the order asked for; undefined for an unknown chunk id. */
  getPassages(chunkIds: readonly string[]): Promise<(PassageText | undefined)[]>;

  /** The k chunks nearest to a query vector (cosine), best first. */
  searchVectors(vector: readonly number[], k: number): Promise<ChunkHit[]>;
  /** The k best chunks for a query by BM25, best first; chunks sharing no word with it are not returned. */
  searchLexical(query: string, k: number): Promise<ChunkHit[]>;
  /** Exact lexical, vector and coverage scores of the given chunks (the candidates of a hybrid search). */
  scoreChunks(query: string, vector: readonly number[], chunkIds: readonly string[]): Promise<ChunkScores>;

  /** Sync state per source name, as the last `apply` for each left it; `{}` when nothing was synced. */
  syncState(): Promise<Record<string, unknown>>;
  /** Applies one batch of changes atomically (see `KnowledgeChanges`). Hold the writer lock while reading and applying. */
  apply(changes: KnowledgeChanges): Promise<void>;

  /** Takes the knowledge base's one-writer lock: two writers would each lose the other's changes. */
  acquireWriter(options: AcquireWriterOptions): Promise<WriterLock>;
  /**
   * Calls `listener` after the knowledge changed, by this process or another (a sync on another host):
   * reads made after the call see the change. Returns a function that stops listening.
   */
  onChange(listener: (event: KnowledgeChange) => void): () => void;

  dispose(): Promise<void>;
}

/** What `onChange` reports: the counts after a change, or why a change could not be taken in (the old knowledge stays). */
export type KnowledgeChange = { counts: KnowledgeCounts } | { error: Error };

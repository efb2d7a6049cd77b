import type { Connector, SourceDoc, SourceIssue } from "../types.js";
import { withAlternates } from "./alternates.js";
import { chunkDoc, type Chunk, type ChunkOptions } from "./chunkDoc.js";
import type { Embedder } from "./Embedder.js";
import type { AcquireWriterOptions, DocUpsert, KnowledgeChanges, KnowledgeStore, StoredDoc } from "./KnowledgeStore.js";

export interface IngestProgress {
  phase: "reading" | "embedding";
  /** Docs read so far (reading) or embedded so far (embedding). */
  done: number;
  /** Docs to embed (embedding); undefined while reading, when the total is not known yet. */
  total?: number;
}

export interface IngestOptions {
  /** The knowledge base to bring in line with the connectors. */
  store: KnowledgeStore;
  embedder: Embedder;
  connectors: readonly Connector[];
  chunking?: ChunkOptions;
  /** Chunks per embedder call. Defaults to 64. */
  batchSize?: number;
  onProgress?: (progress: IngestProgress) => void;
  /** Called for each malformed file or entry; it is skipped and the rest ingests. */
  onIssue?: (issue: SourceIssue) => void;
  signal?: AbortSignal;
  /** Start from an empty knowledge base: every doc is embedded again and the old content dropped. Defaults to false. */
  rebuild?: boolean;
  /**
   * Approved alternate questions per doc id (the review queue's `alternatesByEntry()`): added to the FAQ
   * entries they belong to and indexed as extra keys. A doc whose alternates changed is re-embedded.
   */
  alternates?: ReadonlyMap<string, readonly string[]>;
}

export interface IngestSummary {
  /** Docs the connectors yielded. */
  read: number;
  added: number;
  /** Docs whose content changed and were re-embedded. */
  updated: number;
  /** Docs no longer in their source, removed from every index. */
  deleted: number;
  /**
   * Docs missing from this pull but kept, because the file they came from failed
   * as a whole this time (a syntax error must not wipe a file's entries from the bot).
   */
  kept: number;
  /** Docs whose content is unchanged (not re-embedded; their location or tags may have been refreshed). */
  unchanged: number;
  chunksEmbedded: number;
  issues: SourceIssue[];
  durationMs: number;
}

interface Pending {
  doc: SourceDoc;
  origin: string;
  chunks: Chunk[];
  isNew: boolean;
}

/** What an ingest would change, and its counts: `store.apply(plan.changes)` makes it so. */
export interface IngestPlan {
  summary: IngestSummary;
  changes: KnowledgeChanges;
}

/**
 * Works out how to bring the store in line with the connectors, embedding what is new: new docs
 * are embedded and added, docs whose content hash changed are re-embedded, docs their origin no
 * longer yields are deleted, and unchanged docs cost no embedding at all. Nothing is written: the
 * caller checks the summary and applies the changes (holding the store's writer lock throughout).
 */
export async function planIngest(options: IngestOptions): Promise<IngestPlan> {
  const started = performance.now();
  const { store, signal } = options;
  const issues: SourceIssue[] = [];
  const onIssue = (issue: SourceIssue): void => {
    issues.push(issue);
    options.onIssue?.(issue);
  };

  const seen = new Map<string, string>();
  /** Files (as connectors name them in locations) that yielded at least one doc. */
  const productive = new Set<string>();
  const read: { doc: SourceDoc; origin: string }[] = [];
  for (const connector of options.connectors) {
    const origin = originOf(connector);
    for await (const pulled of connector.pull({ onIssue, ...(signal ? { signal } : {}) })) {
      signal?.throwIfAborted();
      const doc = withAlternates(pulled, options.alternates?.get(pulled.id));
      const previousOrigin = seen.get(doc.id);
      if (previousOrigin !== undefined) {
        onIssue({ file: doc.location?.file ?? origin, ...(doc.location ? { line: doc.location.line } : {}), message: `duplicate id "${doc.id}" (already read from ${previousOrigin}); skipped` });
        continue;
      }
      seen.set(doc.id, origin);
      if (doc.location) productive.add(doc.location.file);
      options.onProgress?.({ phase: "reading", done: seen.size });
      read.push({ doc, origin });
    }
  }

  const stored = options.rebuild ? [] : await store.getDocs(read.map((r) => r.doc.id));
  const pending: Pending[] = [];
  const metadata: { doc: SourceDoc; origin: string }[] = [];
  let unchanged = 0;
  read.forEach(({ doc, origin }, i) => {
    const before = stored[i];
    if (before && before.contentHash === doc.contentHash) {
      unchanged++;
      if (!sameMetadata(before, doc, origin)) metadata.push({ doc, origin });
    } else {
      pending.push({ doc, origin, chunks: chunkDoc(doc, options.chunking), isNew: !before });
    }
  });

  // A file that had a problem and yielded nothing (unreadable, a JSON syntax error)
  // keeps its earlier entries: a typo must not wipe them from the bot. A file that
  // still yielded entries is read for what it is, so removals there are real.
  const failedFiles = new Set(issues.map((i) => i.file).filter((file) => !productive.has(file)));
  let kept = 0;
  const stale: string[] = [];
  const previous = options.rebuild ? [] : await store.listDocs({ origins: [...new Set(options.connectors.map(originOf))] });
  for (const d of previous) {
    if (seen.has(d.id)) continue;
    if (d.location && failedFiles.has(d.location.file)) kept++;
    else stale.push(d.id);
  }

  const { upserts, chunksEmbedded } = await embedPending(pending, options);
  return {
    summary: {
      read: seen.size,
      added: pending.filter((p) => p.isNew).length,
      updated: pending.filter((p) => !p.isNew).length,
      deleted: stale.length,
      kept,
      unchanged,
      chunksEmbedded,
      issues,
      durationMs: performance.now() - started,
    },
    changes: { ...(options.rebuild ? { replaceAll: true } : {}), upserts, metadata, deletes: stale },
  };
}

/**
 * Ingests under the store's writer lock: plans, then applies, in one step. For code that wants no say
 * between the two (the CLI checks the summary first, and uses `planIngest`).
 */
export async function ingest(options: IngestOptions & { lock?: Partial<AcquireWriterOptions> }): Promise<IngestSummary> {
  const lock = await options.store.acquireWriter({ command: "llamadesk ingest", ...options.lock });
  try {
    const { summary, changes } = await planIngest(options);
    await options.store.apply(changes);
    return summary;
  } finally {
    await lock.release();
  }
}

/** Embeds pending docs in batches of chunks; each doc becomes an upsert once all its chunks have vectors. */
async function embedPending(pending: readonly Pending[], options: IngestOptions): Promise<{ upserts: DocUpsert[]; chunksEmbedded: number }> {
  const upserts: DocUpsert[] = [];
  const batchSize = options.batchSize ?? 64;
  const total = pending.length;
  let done = 0;
  let embedded = 0;
  let batch: Pending[] = [];
  let batchChunks = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const texts = batch.flatMap((p) => p.chunks.map(embeddingText));
    const vectors = await options.embedder.embed(texts, options.signal ? { signal: options.signal } : {});
    let offset = 0;
    for (const p of batch) {
      upserts.push({ doc: p.doc, origin: p.origin, chunks: p.chunks, vectors: vectors.slice(offset, offset + p.chunks.length) });
      offset += p.chunks.length;
    }
    embedded += texts.length;
    done += batch.length;
    batch = [];
    batchChunks = 0;
    options.onProgress?.({ phase: "embedding", done, total });
  };
  options.onProgress?.({ phase: "embedding", done: 0, total });
  for (const p of pending) {
    if (batchChunks + p.chunks.length > batchSize) await flush();
    batch.push(p);
    batchChunks += p.chunks.length;
  }
  await flush();
  return { upserts, chunksEmbedded: embedded };
}

/** What a chunk is embedded as: its title and text together, as a customer would read them. */
export function embeddingText(chunk: Chunk): string {
  return chunk.title ? `${chunk.title}\n${chunk.text}` : chunk.text;
}

export function originOf(connector: Connector): string {
  return `${connector.name}:${connector.origin}`;
}

function sameMetadata(stored: StoredDoc, doc: SourceDoc, origin: string): boolean {
  return (
    stored.origin === origin &&
    stored.url === doc.url &&
    stored.updatedAt === doc.updatedAt &&
    JSON.stringify(stored.tags) === JSON.stringify(doc.tags) &&
    stored.location?.file === doc.location?.file &&
    stored.location?.line === doc.location?.line
  );
}

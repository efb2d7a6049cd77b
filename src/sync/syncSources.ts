import type { ChatThread } from "../chat/ChatThread.js";
import { isLlamadeskError, type ErrorCode } from "../errors.js";
import type { Embedder } from "../knowledge/Embedder.js";
import { planIngest, type IngestProgress, type IngestSummary } from "../knowledge/ingest.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../types.js";
import type { ConfiguredSource } from "./configuredSources.js";

export type SourceCounts = Omit<IngestSummary, "issues"> & { issues: number };

/** How one source's sync went. */
export interface SourceSyncResult {
  name: string;
  connector: string;
  /** Counts of the ingest; undefined when the source failed before it finished. */
  counts?: SourceCounts;
  /** Why the source failed; its docs in the index are left as they were. */
  error?: { code: ErrorCode | "UNEXPECTED"; message: string };
  /** What the `afterPull` hook reported (e.g. mining counts). */
  extra?: Record<string, number>;
}

export interface SyncSourcesOptions {
  /** The knowledge base, with its writer lock held by the caller. */
  store: KnowledgeStore;
  embedder: Embedder;
  sources: readonly ConfiguredSource[];
  /** Ignore the saved cursors and pull everything again. Defaults to false. */
  full?: boolean;
  /**
   * Runs after a source is ingested, with the conversations it pulled (resolved-thread mining).
   * Its counts go into the source's result; its failure fails only that source's result.
   */
  afterPull?: (source: ConfiguredSource, threads: ChatThread[], store: KnowledgeStore) => Promise<Record<string, number> | undefined>;
  onSourceStart?: (source: ConfiguredSource) => void;
  onProgress?: (source: ConfiguredSource, progress: IngestProgress) => void;
  onIssue?: (source: ConfiguredSource, issue: SourceIssue) => void;
  onSourceDone?: (result: SourceSyncResult) => void;
  /** Text that must never be shown (credentials): replaced by "***" in errors and issues. */
  secrets?: () => Iterable<string>;
  signal?: AbortSignal;
}

/**
 * Brings the store in line with every configured source, one source at a time: each is pulled
 * from its saved cursor, ingested (changed docs re-embedded, docs the source no longer has
 * deleted), and applied with its new cursor as one atomic change, so a cursor is never ahead of
 * its docs. A source that fails leaves its docs and cursor as they were and the others go on.
 */
export async function syncSources(options: SyncSourcesOptions): Promise<SourceSyncResult[]> {
  const { store, signal } = options;
  const saved = options.full ? {} : await store.syncState();
  const redact = (text: string) => [...(options.secrets?.() ?? [])].reduce((t, secret) => (secret ? t.split(secret).join("***") : t), text);
  const results: SourceSyncResult[] = [];
  for (const source of options.sources) {
    signal?.throwIfAborted();
    options.onSourceStart?.(source);
    const result: SourceSyncResult = { name: source.name, connector: source.connector };
    try {
      const threads: ChatThread[] = [];
      let state: unknown;
      const connector = withState(source, saved[source.name], (s) => (state = s), (doc) => doc.thread && threads.push(doc.thread));
      const { summary, changes } = await planIngest({
        store,
        embedder: options.embedder,
        connectors: [connector],
        onIssue: (issue) => options.onIssue?.(source, { ...issue, message: redact(issue.message) }),
        onProgress: (progress) => options.onProgress?.(source, progress),
        ...(signal ? { signal } : {}),
      });
      // A full pull whose connector keeps no state drops the old cursor rather than keep one that no longer fits.
      const cursor = state !== undefined ? state : options.full ? null : undefined;
      await store.apply({ ...changes, ...(cursor !== undefined ? { syncState: { [source.name]: cursor } } : {}) });
      const { issues, ...counts } = summary;
      result.counts = { ...counts, issues: issues.length };
      const extra = threads.length > 0 ? await options.afterPull?.(source, threads, store) : undefined;
      if (extra) result.extra = extra;
    } catch (error) {
      if (signal?.aborted) throw error;
      result.error = { code: isLlamadeskError(error) ? error.code : "UNEXPECTED", message: redact(error instanceof Error ? error.message : String(error)) };
    }
    results.push(result);
    options.onSourceDone?.(result);
  }
  return results;
}

/**
 * The source's connector with its saved state passed in, its new state captured, and every doc it
 * yields shown to `onDoc`. Its origin is scoped by the source's name: ingest deletes the docs of an
 * origin that a pull no longer yields, and two sources of one connector (two workspaces on default
 * settings) must never delete each other's docs.
 */
function withState(source: ConfiguredSource, state: unknown, saveState: (state: unknown) => void, onDoc: (doc: SourceDoc) => void): Connector {
  const inner = source.create();
  return {
    name: inner.name,
    origin: `${source.name}@${inner.origin}`,
    async *pull(options: PullOptions = {}) {
      for await (const doc of inner.pull({ ...options, ...(state !== undefined ? { state } : {}), saveState })) {
        onDoc(doc);
        yield doc;
      }
    },
  };
}

import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore, WriterHolder } from "../knowledge/KnowledgeStore.js";
import { syncSources, type SourceSyncResult, type SyncSourcesOptions } from "./syncSources.js";

export interface RunSyncOptions extends SyncSourcesOptions {
  store: KnowledgeStore;
  embedder: Embedder;
  /** Wait while another command writes the index. Defaults to true; false fails at once with `INDEX_LOCKED`. */
  wait?: boolean;
  /** Called once when this run has to wait for another writer. */
  onWait?: (holder: WriterHolder) => void;
}

export interface SyncRun {
  results: SourceSyncResult[];
  /** Docs and chunks in the index after the run. */
  docs: number;
  chunks: number;
  durationMs: number;
}

/**
 * One sync of the store under its writer lock (`signal` also stops the wait for it): every source pulled, ingested and applied with its
 * new cursor, one source at a time. A run that is aborted keeps the sources that finished.
 */
export async function runSync(options: RunSyncOptions): Promise<SyncRun> {
  const started = performance.now();
  const { store } = options;
  const lock = await store.acquireWriter({ command: "llamadesk sync", wait: options.wait, onWait: options.onWait, signal: options.signal });
  try {
    const results = await syncSources(options);
    const { docs, chunks } = await store.counts();
    return { results, docs, chunks, durationMs: performance.now() - started };
  } finally {
    await lock.release();
  }
}

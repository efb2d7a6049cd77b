import type { Embedder } from "../knowledge/Embedder.js";
import { KnowledgeIndex } from "../knowledge/KnowledgeIndex.js";
import { acquireWriterLock, type WriterLockHolder } from "../knowledge/writerLock.js";
import { syncSources, type SourceSyncResult, type SyncSourcesOptions } from "./syncSources.js";

export interface RunSyncOptions extends Omit<SyncSourcesOptions, "index"> {
  indexDir: string;
  embedder: Embedder;
  /** Wait while another command writes the index. Defaults to true; false fails at once with `INDEX_LOCKED`. */
  wait?: boolean;
  /** Called once when this run has to wait for another writer. */
  onWait?: (holder: WriterLockHolder) => void;
}

export interface SyncRun {
  results: SourceSyncResult[];
  /** Docs and chunks in the index after the run. */
  docs: number;
  chunks: number;
  durationMs: number;
}

/**
 * One sync of the index in `indexDir` (created if missing), under its writer lock (taken before
 * the index is loaded, freed after it is saved; `signal` also stops the wait for it): every source
 * pulled and ingested, then the index saved with the new cursors as one new generation. A run
 * that is aborted saves the sources that finished.
 */
export async function runSync(options: RunSyncOptions): Promise<SyncRun> {
  const started = performance.now();
  const { wait, onWait, signal } = options;
  const lock = await acquireWriterLock(options.indexDir, { command: "llamadesk sync", wait, onWait, signal });
  try {
    const index = (await KnowledgeIndex.exists(options.indexDir))
      ? await KnowledgeIndex.load(options.indexDir, { embedder: options.embedder })
      : KnowledgeIndex.create({ embedder: options.embedder });
    const results: SourceSyncResult[] = [];
    const onSourceDone = (result: SourceSyncResult) => {
      results.push(result);
      options.onSourceDone?.(result);
    };
    try {
      await syncSources({ ...options, index, onSourceDone });
    } finally {
      // Sources that finished are saved even when a later one was interrupted.
      if (results.length > 0) await index.save(options.indexDir);
    }
    return { results, docs: index.docCount, chunks: index.chunkCount, durationMs: performance.now() - started };
  } finally {
    await lock.release();
  }
}

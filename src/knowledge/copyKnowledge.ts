import { isDeepStrictEqual } from "node:util";
import { LlamadeskError } from "../errors.js";
import type { AcquireWriterOptions, DocUpsert, KnowledgeStore } from "./KnowledgeStore.js";

/** Knowledge that can hand over its docs with their chunks and vectors (`LocalKnowledgeStore` can). */
export interface KnowledgeSource extends Pick<KnowledgeStore, "embedder" | "location" | "counts" | "listDocs" | "syncState"> {
  exportDocs(): AsyncIterable<DocUpsert>;
}

export interface CopyKnowledgeOptions {
  from: KnowledgeSource;
  /** Opened with the source's embedder (or with `rebuild` for `replace`). */
  to: KnowledgeStore;
  /** How to take the target's writer lock (held for the whole copy): `command` names the copy for whoever waits. */
  writer: AcquireWriterOptions;
  /** Drop what the target holds first. Defaults to false: a target holding docs the source does not is refused. */
  replace?: boolean;
  /** Docs per `apply` (one transaction in PostgreSQL). Defaults to 200. */
  batchSize?: number;
  /** After each batch: docs done (copied or already there) of all the source holds. */
  onProgress?: (done: number, total: number) => void;
}

export interface CopyKnowledgeSummary {
  /** What the source holds. */
  docs: number;
  chunks: number;
  /** Docs written to the target by this copy. */
  copied: number;
  /** Docs the target already held as the source holds them (an earlier, maybe interrupted, copy): not written again. */
  alreadyThere: number;
  /** Sources (connectors) whose sync state was carried over, so a sync on the target goes on from the same cursors. */
  syncSources: number;
}

/**
 * Copies knowledge from one store to another without embedding anything: docs, chunks and their
 * stored vectors in batches, the sync state with the last batch (so a cursor is never ahead of its docs),
 * all under the target's writer lock.
 *
 * Safe to run again: docs the target already holds unchanged (same id and content hash) are skipped, so an
 * interrupted copy goes on where it stopped and a finished one copies nothing. A target holding anything
 * else (docs the source lacks or holds changed) is refused with KNOWLEDGE_NOT_EMPTY unless `replace`.
 */
export async function copyKnowledge(options: CopyKnowledgeOptions): Promise<CopyKnowledgeSummary> {
  const { from, to } = options;
  const batchSize = options.batchSize ?? 200;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new LlamadeskError("INVALID_OPTION", `copyKnowledge: batchSize must be a whole number of at least 1 (got ${batchSize}).`);
  if (from.embedder.id !== to.embedder.id || from.embedder.dimensions !== to.embedder.dimensions) {
    throw new LlamadeskError(
      "EMBEDDER_MISMATCH",
      `${from.location} was built with embedder "${from.embedder.id}" (${from.embedder.dimensions}-d) and ${to.location} with "${to.embedder.id}" (${to.embedder.dimensions}-d): ` +
        "vectors of one mean nothing to the other. Copy into another knowledge base, or replace this one's knowledge (--replace).",
    );
  }
  const lock = await to.acquireWriter(options.writer);
  try {
    const [counts, state, sourceDocs] = await Promise.all([from.counts(), from.syncState(), from.listDocs()]);
    const there = options.replace ? new Set<string>() : await docsAlreadyThere(options, new Map(sourceDocs.map((d) => [d.id, d.contentHash])));
    const targetState = options.replace ? {} : await to.syncState();
    // Sources the target knows and the source does not lose their state: the target then holds the source's exactly.
    const syncState: Record<string, unknown> = { ...Object.fromEntries(Object.keys(targetState).map((source) => [source, null])), ...state };
    const stateChanged = !isDeepStrictEqual(targetState, state);

    let done = there.size;
    let copied = 0;
    let first = true;
    let pending: DocUpsert[] = [];
    const flush = async (last: boolean) => {
      if (pending.length === 0 && !(last && (stateChanged || (first && options.replace)))) return;
      await to.apply({
        ...(first && options.replace ? { replaceAll: true } : {}),
        upserts: pending,
        ...(last && stateChanged ? { syncState } : {}),
      });
      first = false;
      copied += pending.length;
      done += pending.length;
      pending = [];
      options.onProgress?.(done, counts.docs);
    };
    options.onProgress?.(done, counts.docs);
    for await (const upsert of from.exportDocs()) {
      if (there.has(upsert.doc.id)) continue;
      // One batch is kept back, so the last one carries the sync state.
      if (pending.length === batchSize) await flush(false);
      pending.push(upsert);
    }
    await flush(true);
    return { docs: counts.docs, chunks: counts.chunks, copied, alreadyThere: there.size, syncSources: Object.keys(state).length };
  } finally {
    await lock.release();
  }
}

/** The target's docs, when each is one the source holds unchanged; else KNOWLEDGE_NOT_EMPTY. */
async function docsAlreadyThere({ from, to }: CopyKnowledgeOptions, source: Map<string, string>): Promise<Set<string>> {
  const target = await to.listDocs();
  const foreign = target.filter((doc) => source.get(doc.id) !== doc.contentHash);
  if (foreign.length > 0) {
    const examples = foreign.slice(0, 3).map((doc) => `"${doc.title}"`).join(", ");
    throw new LlamadeskError(
      "KNOWLEDGE_NOT_EMPTY",
      `${to.location} already holds ${target.length} docs, ${foreign.length} of which ${from.location} does not hold as they are (${examples}${foreign.length > 3 ? ", ..." : ""}). ` +
        "Copy into another knowledge base (--knowledge NAME), or replace what it holds with --replace.",
    );
  }
  return new Set(target.map((doc) => doc.id));
}

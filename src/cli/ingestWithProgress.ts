import type { Embedder } from "../knowledge/Embedder.js";
import { planIngest, type IngestSummary } from "../knowledge/ingest.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import type { Connector, SourceIssue } from "../types.js";
import { lockIndexForWriting } from "./lockIndexForWriting.js";
import { createProgressBar } from "./progressBar.js";

export interface IngestWithProgressOptions {
  store: KnowledgeStore;
  embedder: Embedder;
  connectors: readonly Connector[];
  /** Start from an empty knowledge base (the store was opened with `rebuild`). Defaults to false. */
  rebuild?: boolean;
  /** Throws to refuse the changes (nothing usable read, problems under --strict): the store stays as it was. */
  accept?: (summary: IngestSummary) => void;
  /** What is writing, for whoever has to wait: "ingest", "demo". */
  command: string;
  /** Wait while another command writes (saying so on stderr). Defaults to true; false fails with INDEX_LOCKED. */
  wait?: boolean | undefined;
}

/**
 * What every CLI ingest does: under the store's writer lock, read and embed with a progress bar and
 * a warning line per problem on stderr, let the caller accept the result, then apply it.
 */
export async function ingestWithProgress(options: IngestWithProgressOptions): Promise<IngestSummary> {
  const { store, embedder } = options;
  const lock = await lockIndexForWriting(store, options.command, { wait: options.wait });
  try {
    const bar = createProgressBar("Embedding", "docs");
    let plan;
    try {
      plan = await planIngest({
        store,
        embedder,
        connectors: options.connectors,
        ...(options.rebuild ? { rebuild: true } : {}),
        onIssue: (issue) => process.stderr.write(`warning: ${formatIssue(issue)}\n`),
        onProgress: (p) => {
          if (p.phase === "embedding" && p.total) bar.update(p.done, p.total);
        },
      });
    } finally {
      bar.stop();
    }
    options.accept?.(plan.summary);
    await store.apply(plan.changes);
    return plan.summary;
  } finally {
    await lock.release();
  }
}

export function formatIssue(issue: SourceIssue): string {
  return `${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.message}`;
}

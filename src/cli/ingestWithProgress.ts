import type { Embedder } from "../knowledge/Embedder.js";
import { ingest, type IngestSummary } from "../knowledge/ingest.js";
import { KnowledgeIndex, type KnowledgeIndexOptions } from "../knowledge/KnowledgeIndex.js";
import type { Connector, SourceIssue } from "../types.js";
import { createProgressBar } from "./progressBar.js";

export interface IngestWithProgressOptions {
  indexDir: string;
  embedder: Embedder;
  connectors: readonly Connector[];
  /** Start from an empty index even when one exists. Defaults to false. */
  rebuild?: boolean;
  /** For a new index. Defaults to "hnsw". */
  vectorIndex?: KnowledgeIndexOptions["vectorIndex"];
}

/**
 * What every CLI ingest does: open the index in `indexDir` (or start one), ingest with a
 * progress bar and a warning line per problem on stderr. The caller decides whether to save,
 * and holds the index's writer lock (`lockIndexForWriting`) from before this call until it has.
 */
export async function ingestWithProgress(options: IngestWithProgressOptions): Promise<{ index: KnowledgeIndex; summary: IngestSummary }> {
  const { indexDir, embedder } = options;
  const index =
    (await KnowledgeIndex.exists(indexDir)) && !options.rebuild
      ? await KnowledgeIndex.load(indexDir, { embedder })
      : KnowledgeIndex.create({ embedder, ...(options.vectorIndex ? { vectorIndex: options.vectorIndex } : {}) });
  const bar = createProgressBar("Embedding", "docs");
  try {
    const summary = await ingest({
      index,
      embedder,
      connectors: options.connectors,
      onIssue: (issue) => process.stderr.write(`warning: ${formatIssue(issue)}\n`),
      onProgress: (p) => {
        if (p.phase === "embedding" && p.total) bar.update(p.done, p.total);
      },
    });
    return { index, summary };
  } finally {
    bar.stop();
  }
}

export function formatIssue(issue: SourceIssue): string {
  return `${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.message}`;
}

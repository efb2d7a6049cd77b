import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { LlamadeskError } from "../errors.js";
import { createEmbedder } from "../knowledge/createEmbedder.js";
import type { IngestSummary } from "../knowledge/ingest.js";
import type { KnowledgeCounts } from "../knowledge/KnowledgeStore.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import type { SourceIssue } from "../types.js";
import { checkSourcePaths } from "./checkSourcePaths.js";
import { resolveIndex, type IndexCliOptions } from "./cliOptions.js";
import { formatIssue, ingestWithProgress } from "./ingestWithProgress.js";

export interface IngestCliOptions extends IndexCliOptions {
  strict?: boolean;
  rebuild?: boolean;
  json?: boolean;
  /** Vector index for a new index: "hnsw" or "exact". */
  vectorIndex?: "hnsw" | "exact";
  /** `--no-wait`: fail with INDEX_LOCKED instead of waiting while another command writes the index. */
  wait?: boolean;
}

/**
 * `llamadesk ingest <path...>`: reads FAQ files into the index, re-embedding only
 * what changed. Exits non-zero when nothing usable was read, or on any problem with --strict.
 */
export async function ingestCommand(paths: string[], options: IngestCliOptions): Promise<number> {
  await checkSourcePaths(paths);
  const { indexDir, embedder: embedderConfig, database } = await resolveIndex(options);
  const embedder = await createEmbedder(embedderConfig);
  try {
    const store = await openKnowledgeStore({
      indexDir,
      database: database.url,
      knowledge: database.knowledge,
      embedder,
      create: true,
      ...(options.rebuild ? { rebuild: true } : {}),
      ...(options.vectorIndex ? { vectorIndex: options.vectorIndex } : {}),
    });
    try {
      // The writer lock is held from before the knowledge is read until the changes are applied:
      // another writer's changes are never lost.
      const summary = await ingestWithProgress({
        store,
        embedder,
        connectors: paths.map((path) => new FaqFilesConnector({ paths: [path] })),
        ...(options.rebuild ? { rebuild: true } : {}),
        command: "ingest",
        wait: options.wait,
        accept: (summary) => refuseUnusable(summary, paths, options.strict === true),
      });
      printSummary(summary, store.location, await store.counts(), options.json === true);
      return 0;
    } finally {
      await store.dispose();
    }
  } finally {
    await embedder.dispose?.();
  }
}

/** An ingest that read nothing usable (or had problems under --strict) changes nothing. */
function refuseUnusable(summary: IngestSummary, paths: string[], strict: boolean): void {
  if (summary.read === 0) throw nothingIngested(paths, summary.issues);
  if (strict && summary.issues.length > 0) {
    throw new LlamadeskError(
      "INGEST_ERRORS",
      `${summary.issues.length} problem(s) in the sources (see above) and --strict is set. The index was not changed.`,
    );
  }
}

/** NOTHING_INGESTED naming what was skipped and why; with no problem at all, no FAQ file was found. */
function nothingIngested(paths: string[], issues: readonly SourceIssue[]): LlamadeskError {
  const where = paths.join(", ");
  if (issues.length === 0) {
    return new LlamadeskError(
      "NOTHING_INGESTED",
      `No FAQ files in ${where}: looked for .md, .markdown, .json and .csv files. Markdown has a heading per question, ` +
        "JSON an array of {question, answer}, CSV question and answer columns. The index was not changed.",
    );
  }
  const named = issues.slice(0, 3).map(formatIssue).join("; ");
  const more = issues.length > 3 ? `; and ${issues.length - 3} more problem(s), each in a warning above` : "";
  return new LlamadeskError("NOTHING_INGESTED", `No usable FAQ entries in ${where}. ${named}${more}. The index was not changed.`);
}

function printSummary(summary: IngestSummary, indexDir: string, index: KnowledgeCounts, json: boolean): void {
  if (json) {
    const { issues, ...counts } = summary;
    process.stdout.write(`${JSON.stringify({ index: indexDir, ...counts, errors: issues.length, issues, docs: index.docs, chunks: index.chunks })}\n`);
    return;
  }
  const seconds = (summary.durationMs / 1000).toFixed(1);
  process.stdout.write(
    `Ingested ${summary.read} docs in ${seconds}s: ${summary.added} added, ${summary.updated} updated, ` +
      `${summary.deleted} deleted, ${summary.unchanged} unchanged, ${summary.issues.length} errors.\n` +
      (summary.kept > 0 ? `Kept ${summary.kept} previously ingested docs from files with problems; fix the files and ingest again.\n` : "") +
      `Index ${indexDir}: ${index.docs} docs, ${index.chunks} chunks (${summary.chunksEmbedded} embedded now).\n`,
  );
}

import { evaluate, type EvalMetrics } from "../eval/evaluate.js";
import { readQueriesFile } from "../eval/readQueriesFile.js";
import type { RetrievalMode } from "../retrieval/HybridRetriever.js";
import type { IndexCliOptions } from "./cliOptions.js";
import { openRetriever } from "./openRetriever.js";
import { createProgressBar } from "./progressBar.js";

export interface EvalCliOptions extends IndexCliOptions {
  queries: string;
  k: number;
  mode: RetrievalMode;
  json?: boolean;
  /** Misses printed in the text report. */
  showMisses: number;
}

/** `llamadesk eval --queries FILE`: MRR and recall of the index on labelled queries. */
export async function evalCommand(options: EvalCliOptions): Promise<number> {
  const queries = await readQueriesFile(options.queries);
  const { retriever, dispose } = await openRetriever(options);
  try {
    const bar = createProgressBar("Evaluating", "queries");
    const metrics = await evaluate(queries, (q, k) => retriever.retrieve(q, { k, mode: options.mode }), {
      k: options.k,
      onQuery: (done, total) => bar.update(done, total),
    });
    bar.stop();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ mode: options.mode, ...metrics })}\n`);
    } else {
      process.stdout.write(formatReport(metrics, options.mode, options.showMisses));
    }
    return 0;
  } finally {
    await dispose();
  }
}

export function formatReport(m: EvalMetrics, mode: RetrievalMode, showMisses: number): string {
  const lines = [
    `${m.queries} queries, mode ${mode}, k ${m.k}`,
    `MRR@${m.k}      ${m.mrr.toFixed(3)}`,
    `Recall@1    ${m.recall_at_1.toFixed(3)}`,
    `Recall@5    ${m.recall_at_5.toFixed(3)}`,
    `Recall@${m.k}${" ".repeat(Math.max(1, 5 - String(m.k).length))}${m.recall_at_k.toFixed(3)}`,
  ];
  const notFound = m.misses.filter((x) => x.rank === null);
  lines.push("", `Misses: ${m.misses.length} queries without a relevant doc first, ${notFound.length} with none in the top ${m.k}.`);
  for (const miss of m.misses.slice(0, showMisses)) {
    const where = miss.rank === null ? `not in top ${m.k}` : `rank ${miss.rank}`;
    lines.push(`  - ${JSON.stringify(miss.query)}: ${where}; wanted ${miss.relevant.join(", ")}; got ${miss.retrieved.slice(0, 3).join(", ")}`);
  }
  if (m.misses.length > showMisses) lines.push(`  ... and ${m.misses.length - showMisses} more (--show-misses N or --json for all)`);
  return `${lines.join("\n")}\n`;
}

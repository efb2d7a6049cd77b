import { readFile } from "node:fs/promises";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { DEMO_QUESTIONS_FILE, SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../config.js";
import { evaluate } from "../eval/evaluate.js";
import { readQueriesFile } from "../eval/readQueriesFile.js";
import { UseLiteEmbedder } from "../knowledge/UseLiteEmbedder.js";
import { HybridRetriever } from "../retrieval/HybridRetriever.js";
import { resolveIndexDir } from "./cliOptions.js";
import { ingestWithProgress } from "./ingestWithProgress.js";
import { sourceOf } from "./searchCommand.js";

export interface DemoCliOptions {
  index?: string;
  /** Sample questions answered. */
  questions: number;
}

/**
 * `llamadesk demo`: ingests the shipped sample FAQ (a fictional product, Tidepool),
 * answers a few customer questions from it with the best-matching entry and its
 * source, and reports retrieval quality on the sample's labelled queries.
 */
export async function demoCommand(options: DemoCliOptions): Promise<number> {
  const out = (s = ""): boolean => process.stdout.write(`${s}\n`);
  const indexDir = resolveIndexDir(options);
  const embedder = new UseLiteEmbedder();

  out(`Ingesting the sample FAQ from ${SAMPLE_SOURCES_DIR}`);
  const { index, summary } = await ingestWithProgress({
    indexDir,
    embedder,
    connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })],
  });
  await index.save(indexDir);
  out(
    `${summary.read} entries: ${summary.added} added, ${summary.updated} updated, ${summary.deleted} deleted, ` +
      `${summary.unchanged} unchanged (index: ${indexDir})`,
  );

  const retriever = new HybridRetriever({ index, embedder });
  const questions = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").filter((q) => q.trim());
  for (const query of questions.slice(0, options.questions)) {
    const [best, ...related] = await retriever.retrieve(query, { k: 3 });
    out();
    out(`Q: ${query}`);
    if (!best) {
      out("A: (nothing in the knowledge base matches)");
      continue;
    }
    out(`A: ${best.text.replace(/\n/g, "\n   ")}`);
    out(`   — ${best.title} (${sourceOf(best)})`);
    if (related.length > 0) out(`   Related: ${related.map((p) => p.title).join(" | ")}`);
  }

  const queries = await readQueriesFile(SAMPLE_QUERIES_FILE);
  const metrics = await evaluate(queries, (q, k) => retriever.retrieve(q, { k }), { k: 10 });
  out();
  out(
    `Retrieval on the ${metrics.queries} labelled sample queries: MRR ${metrics.mrr.toFixed(3)}, ` +
      `Recall@1 ${metrics.recall_at_1.toFixed(3)}, Recall@5 ${metrics.recall_at_5.toFixed(3)}.`,
  );
  out("Next: `llamadesk ingest <your FAQ folder>` and `llamadesk search \"<question>\"` (see README).");
  await embedder.dispose();
  return 0;
}

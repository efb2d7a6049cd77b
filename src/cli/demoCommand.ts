import { readFile } from "node:fs/promises";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { DEMO_QUESTIONS_FILE, SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../config.js";
import { evaluate } from "../eval/evaluate.js";
import { readQueriesFile } from "../eval/readQueriesFile.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import { createEmbedder } from "../knowledge/createEmbedder.js";
import { HybridRetriever } from "../retrieval/HybridRetriever.js";
import { resolveIndex } from "./cliOptions.js";
import { ingestWithProgress } from "./ingestWithProgress.js";
import { createLocalBot } from "../presets/createLocalBot.js";
import { collectAnswer, formatSources } from "./collectAnswer.js";

export interface DemoCliOptions {
  index?: string;
  /** Sample questions answered. Defaults to all of them (knowledge/demo-questions.txt). */
  questions?: number;
  /** Chat model (GGUF path or model server URL) for generated answers. Defaults to the config file's, then LLAMADESK_MODEL, then none. */
  model?: string;
  modelName?: string;
  modelKeyEnv?: string;
  config?: string;
  /** `--embed-workers N`: worker threads that embed (else the config's embedWorkers, else one per core). */
  embedWorkers?: number;
}

/**
 * `llamadesk demo`: ingests the shipped sample FAQ (a fictional product, Tidepool),
 * answers a few customer questions from it with the best-matching entry and its
 * source, and reports retrieval quality on the sample's labelled queries.
 */
export async function demoCommand(options: DemoCliOptions): Promise<number> {
  const out = (s = ""): boolean => process.stdout.write(`${s}\n`);
  const { indexDir, database, embedder: configured } = await resolveIndex(options);
  // The sample is always embedded with the built-in embedder; only how many threads run it is configurable.
  const embedder = await createEmbedder({ kind: "use-lite", ...(configured.workers !== undefined ? { workers: configured.workers } : {}) });

  out(`Ingesting the sample FAQ from ${SAMPLE_SOURCES_DIR}`);
  const store = await openKnowledgeStore({ indexDir, database: database.url, knowledge: database.knowledge, embedder, create: true }).catch(async (error) => {
    await embedder.dispose?.();
    throw error;
  });
  const summary = await ingestWithProgress({
    store,
    embedder,
    connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })],
    command: "demo",
  }).catch(async (error) => {
    await store.dispose();
    await embedder.dispose?.();
    throw error;
  });
  out(
    `${summary.read} entries: ${summary.added} added, ${summary.updated} updated, ${summary.deleted} deleted, ` +
      `${summary.unchanged} unchanged (index: ${store.location})`,
  );

  const retriever = new HybridRetriever({ store, embedder });
  // The knowledge just ingested, and its embedder, serve the bot too: nothing is loaded twice.
  const bot = await createLocalBot({
    open: { store, embedder },
    index: indexDir,
    database: database.url,
    knowledge: database.knowledge,
    model: options.model,
    modelName: options.modelName,
    modelKeyEnv: options.modelKeyEnv,
    configFile: options.config,
    store: ":memory:",
    policy: { product: "Tidepool", mode: "auto" },
  }).catch(async (error) => {
    await store.dispose();
    await embedder.dispose?.();
    throw error;
  });
  try {
    const questions = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").filter((q) => q.trim());
    out(
      bot.chatModel
        ? `Answering in auto mode with ${bot.chatModel.id}: verbatim FAQ answers for clear matches, generated ones otherwise.`
        : "Answering in auto mode without a chat model: verbatim FAQ answers (see README, \"Getting a chat model\", for generated ones).",
    );
    const asked = questions.slice(0, options.questions ?? questions.length);
    let declined = 0;
    for (const [i, question] of asked.entries()) {
      out();
      out(`Q: ${question}`);
      process.stdout.write("A: ");
      const summary = await collectAnswer(bot.ask({ conversationId: `demo-${i}`, text: question, channel: "cli" }), {
        onText: (text) => process.stdout.write(text.replace(/\n/g, "\n   ")),
        onNotice: (message) => process.stderr.write(`note: ${message}\n`),
      });
      out();
      if (summary.error) out(`   (error [${summary.error.code}]: ${summary.error.message})`);
      else out(`   ${summary.mode ?? "no answer"}; ${formatSources(summary).trimEnd().replace(/\n/g, "\n   ")}`);
      if (summary.abstained) declined++;
    }
    out();
    if (declined > 0) {
      out(
        `Answered ${asked.length - declined} of ${asked.length} questions; declined ${declined}: no FAQ entry matched closely enough, ` +
          "so the bot said so, listed the closest entries and offered a person rather than guess (see README, \"Answer modes\").",
      );
    } else {
      out(`Answered ${asked.length} of ${asked.length} questions.`);
    }

    const queries = await readQueriesFile(SAMPLE_QUERIES_FILE);
    const metrics = await evaluate(queries, (q, k) => retriever.retrieve(q, { k }), { k: 10 });
    out();
    out(
      `Retrieval on the ${metrics.queries} labelled sample queries: MRR ${metrics.mrr.toFixed(3)}, ` +
        `Recall@1 ${metrics.recall_at_1.toFixed(3)}, Recall@5 ${metrics.recall_at_5.toFixed(3)}.`,
    );
    out("Next: `llamadesk ingest <your FAQ folder>`, then `llamadesk ask \"<question>\"` or `llamadesk chat` (see README).");
  } finally {
    await bot.dispose(); // frees the knowledge store and the embedder too
  }
  return 0;
}

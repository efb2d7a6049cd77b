/**
 * Runs the benchmarks and prints a summary table. Figures, not tests: a missed target
 * prints MISS and the process still exits 0.
 *
 *   npm run bench                    full run: hnsw (10k + 100k vectors, 1,000 queries), ingest, quality
 *   node dist/bench/run.js --quick   about a minute: 10k vectors, fewer queries, a StackFAQ subset;
 *                                    skips the retrieval-quality bench unless BENCH_ONLY=quality
 *   BENCH_ONLY=hnsw|ingest|quality|answer-quality|answer-calibration|answer|slack-export|soak|postgres|embed-pool|website|model-server|insights   one bench only
 *   BENCH_INSIGHTS_SIZES=10000,100000   the insights bench's store sizes in turns (default 10k, 100k and 1M)
 *   BENCH_SOAK_ASKS, BENCH_SOAK_CONVERSATIONS, BENCH_SOAK_ROUNDS   the soak bench's sizes (6000, 100000, 12)
 *   BENCH_POSTGRES_URL=postgresql://postgres@db:5432/postgres   the postgres bench on that server (a superuser's URL;
 *                                    its databases llamadesk_bench_* are dropped afterwards) instead of a throwaway one
 *   BENCH_MODEL_SERVER_SHAPE=tinyllama|tiny, BENCH_MODEL_SERVER_RUNS, BENCH_MODEL_SERVER_TOKENS, BENCH_MODEL_SERVER_THREADS   the model-server bench's served
 *                                    model (default tinyllama), measured runs (6), tokens per answer (64) and llama.cpp threads (1)
 *   BENCH_ANSWER_SHAPES=tinyllama    the answer (speed) bench's model shapes, comma-separated: tinyllama,
 *                                    llama2-7b (default both; tinyllama with --quick). The random-weight models
 *                                    are generated once into node_modules/.cache/llamadesk/bench/ (7B: 3.8 GB)
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Embedder } from "../src/knowledge/Embedder.js";
import { UseLiteEmbedder } from "../src/knowledge/UseLiteEmbedder.js";
import { benchAnswerSpeed } from "./answerSpeed.js";
import { benchHnswVsExact } from "./hnswVsExact.js";
import { benchIngestSpeed } from "./ingestSpeed.js";
import { ANSWER_BENCH_SHAPES, type AnswerBenchShape, type BenchOptions } from "./lib/BenchOptions.js";
import { printTable, type BenchRow } from "./lib/report.js";
import { benchRetrievalQuality } from "./retrievalQuality.js";
import { benchAnswerQuality } from "./answerQuality.js";
import { benchAnswerCalibration } from "./answerCalibration.js";
import { benchMiningQuality } from "./miningQuality.js";
import { benchSlackExportIngest } from "./slackExportIngest.js";
import { benchSoak } from "./soak.js";
import { benchPostgresVsLocal } from "./postgresVsLocal.js";
import { benchEmbedPool } from "./embedPool.js";
import { benchWebsiteCrawl } from "./websiteCrawl.js";
import { benchModelServer } from "./modelServer.js";
import { benchInsights } from "./insights.js";

interface Bench {
  run: (options: BenchOptions) => Promise<BenchRow[]>;
  /** Too slow for --quick (it embeds thousands of texts): run only when asked for by name. */
  slow?: boolean;
}

const BENCHES: Record<string, Bench> = {
  hnsw: { run: benchHnswVsExact },
  ingest: { run: benchIngestSpeed },
  quality: { run: benchRetrievalQuality, slow: true },
  "answer-quality": { run: benchAnswerQuality, slow: true },
  // The answer policy's floors swept over the development sets, in and out of domain (embeds ~20k texts once).
  "answer-calibration": { run: benchAnswerCalibration, slow: true },
  // Answer speed: generates a 0.6 GB (and a 3.8 GB) model on first use, then times many generations.
  answer: { run: benchAnswerSpeed, slow: true },
  // Mining rules on labelled threads, and the dedupe threshold on StackFAQ paraphrases (embeds ~1,400 texts).
  mining: { run: benchMiningQuality, slow: true },
  // Generates a 50k-message Slack export; parses it, then ingests one channel (5k messages) with embeddings: a few minutes.
  "slack-export": { run: benchSlackExportIngest, slow: true },
  // Runs the built `llamadesk serve` for a few minutes (asks and 100k created conversations), sampling its RSS.
  soak: { run: benchSoak, slow: true },
  // PostgreSQL + pgvector against the local store (~35 min): two 100k-vector loads and searches, quality (embeds ~15k texts), ingest, bot.ask.
  postgres: { run: benchPostgresVsLocal, slow: true },
  // USE-lite in worker threads: ingest scaling over cores, and `serve` asks/s and latency at 50 conversations (several minutes).
  "embed-pool": { run: benchEmbedPool, slow: true },
  // Crawls a generated 5,000-page help center on loopback (500 with --quick), embedding every section, then re-crawls it unchanged.
  website: { run: benchWebsiteCrawl, slow: true },
  // bot.ask with the model on an OpenAI-compatible server vs a bare streaming client (generates the 0.6 GB TinyLlama-shaped model on first use).
  "model-server": { run: benchModelServer, slow: true },
  // Gap clustering on banking77 (embeds ~5k texts), then `report` on generated stores of 10k, 100k and 1M turns (generated once, minutes).
  insights: { run: benchInsights, slow: true },
};

const only = process.env.BENCH_ONLY?.trim() || undefined;
if (only !== undefined && !(only in BENCHES)) {
  console.error(`BENCH_ONLY=${only} is not a bench: use ${Object.keys(BENCHES).join(", ")}, or leave it unset for all.`);
  process.exit(2);
}
const quick = process.argv.includes("--quick");
const answerShapes = process.env.BENCH_ANSWER_SHAPES?.split(",").map((s) => s.trim()).filter((s) => s !== "");
for (const shape of answerShapes ?? []) {
  if (!ANSWER_BENCH_SHAPES.includes(shape as AnswerBenchShape)) {
    console.error(`BENCH_ANSWER_SHAPES has ${shape}: use ${ANSWER_BENCH_SHAPES.join(", ")} (comma-separated).`);
    process.exit(2);
  }
}

let shared: Promise<Embedder> | undefined;
const postgresUrl = process.env.BENCH_POSTGRES_URL?.trim() || undefined;
const options: BenchOptions = {
  quick,
  ...(postgresUrl ? { postgresUrl } : {}),
  ...(answerShapes?.length ? { answerShapes: answerShapes as AnswerBenchShape[] } : {}),
  embedder: () =>
    (shared ??= (async () => {
      const embedder = new UseLiteEmbedder();
      const start = performance.now();
      await embedder.embed(["warm up the model", "and its batch path"]);
      console.log(`    (default embedder loaded and warmed up in ${((performance.now() - start) / 1000).toFixed(1)} s)`);
      return embedder;
    })()),
};

const started = performance.now();
console.log(`llamadesk bench${quick ? " --quick" : ""}${only ? ` (BENCH_ONLY=${only})` : ""}; node ${process.version}; ${hnswlibBuild()}`);
const rows: BenchRow[] = [];
for (const [name, bench] of Object.entries(BENCHES)) {
  if (only !== undefined && name !== only) continue;
  if (quick && bench.slow && only === undefined) {
    console.log(`\n[${name}] skipped in --quick (several minutes); run it with BENCH_ONLY=${name}`);
    continue;
  }
  rows.push(...(await bench.run(options)));
}
console.log(`\nSummary (${((performance.now() - started) / 1000).toFixed(0)} s wall)`);
printTable(rows);

/** Whether hnswlib-node was compiled for this CPU (`npm run hnswlib:native`) or portably: it halves query time. */
function hnswlibBuild(): string {
  try {
    const deps = readFileSync(resolve("node_modules/hnswlib-node/build/Release/.deps/Release/obj.target/addon/src/addon.o.d"), "utf8");
    return deps.includes("-march=native") ? "hnswlib-node built with -march=native" : "hnswlib-node portable build";
  } catch {
    return "hnswlib-node build flags unknown";
  }
}

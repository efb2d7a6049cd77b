import { availableParallelism, loadavg } from "node:os";
import type { Embedder } from "../src/knowledge/Embedder.js";
import { CachingEmbedder } from "../src/testing/CachingEmbedder.js";
import { loadBanking77 } from "./datasets/banking77.js";
import { loadStackFaq } from "./datasets/stackfaq.js";
import { startBenchPostgres, type BenchPostgres } from "./lib/benchPostgres.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { timed } from "./lib/measure.js";
import { mulberry32, shuffled } from "./lib/random.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { benchAskLatency } from "./postgres/askLatency.js";
import { benchReplicas } from "./postgres/askReplicas.js";
import { writeFaqCorpus, type FaqCorpus } from "./postgres/faqCorpus.js";
import { benchIngestParity } from "./postgres/ingestParity.js";
import { banking77Parity, buildStorePair, stackFaqParity } from "./postgres/qualityParity.js";
import { benchVectorSearch } from "./postgres/vectorSearch.js";
import { lowRankSet, stackFaqSet } from "./postgres/vectorSets.js";

const DIMENSIONS = 512;
const WARMUP_QUERIES = 50;

/**
 * PostgreSQL + pgvector against the embedded local store (issue 13), on a throwaway server started for the run
 * (or BENCH_POSTGRES_URL's): (1) pgvector HNSW vs an exact scan vs hnswlib at 100k x 512-d; (2) retrieval quality
 * on both stores; (3) ingest and an unchanged re-sync; (4) bot.ask latency, and one bot vs two replicas on one
 * database. Without an installed PostgreSQL with pgvector it says so in one line and records nothing.
 */
export async function benchPostgresVsLocal(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("postgres");
  const started = await startBenchPostgres(options.postgresUrl);
  if ("missing" in started) {
    console.log(`\n[postgres] skipped: ${started.missing}`);
    return rec.rows;
  }
  console.log(`\n[postgres] ${started.version}; load average ${loadAverage()}`);
  try {
    await run(rec, started, options);
  } finally {
    await started.stop();
    console.log(`    (load average at the end ${loadAverage()})`);
  }
  return rec.rows;
}

async function run(rec: Recorder, server: BenchPostgres, options: BenchOptions): Promise<void> {
  const { quick } = options;
  const size = quick ? 10_000 : 100_000;
  const queryCount = quick ? 200 : 1000;
  const embedder = await options.embedder();
  const cached = new CachingEmbedder(embedder);

  // StackFAQ is embedded once, through the cache: every part below reuses its vectors.
  const stack = await loadStackFaq();
  const entries = quick ? stack.entries.slice(0, 96) : stack.entries;
  const kept = new Set(entries.map((e) => e.id));
  const queries = shuffled(stack.queries.filter((q) => q.relevant.every((id) => kept.has(id))), mulberry32(7));
  const corpus = await writeFaqCorpus(entries);
  const corpora: FaqCorpus[] = [corpus];
  try {
    const embedded = await timed(() => embedAll(cached, [...corpus.texts, ...queries.map((q) => q.query)]));
    console.log(`    (StackFAQ: ${corpus.docs} entries and ${queries.length} paraphrases embedded in ${(embedded.ms / 1000).toFixed(0)} s)`);

    // (1) Vector search at 100k.
    await benchVectorSearch(rec, server, lowRankSet(size, DIMENSIONS, queryCount, WARMUP_QUERIES), "bulk");
    const faq = { entries: corpus.chunks, vectors: await cached.embed(corpus.texts), queries: await cached.embed(queries.map((q) => q.query)) };
    await benchVectorSearch(rec, server, stackFaqSet(faq, size, Math.min(queryCount, queries.length), WARMUP_QUERIES), "maintained");

    // (2) Retrieval quality on both stores.
    const qualityUrl = await server.createDatabase("quality");
    const postgres = await server.open(qualityUrl);
    const stores = await buildStorePair(corpus, cached, postgres, "stackfaq");
    try {
      await stackFaqParity(rec, stores, cached, queries);
      const banking = await loadBanking77();
      const tickets = quick ? banking.train.slice(0, 1000) : banking.train;
      const bankQueries = quick ? banking.test.slice(0, 200) : banking.test;
      const intentOf = new Map(tickets.map((t, i) => [`ticket-${i}`, t.category]));
      // The ticket text only: its intent label must not leak into what is searched.
      const bankCorpus = await writeFaqCorpus(tickets.map((t, i) => ({ id: `ticket-${i}`, question: t.text, answer: t.text })));
      corpora.push(bankCorpus);
      await embedAll(cached, [...bankCorpus.texts, ...bankQueries.map((q) => q.text)], "banking77");
      const bank = await buildStorePair(bankCorpus, cached, postgres, "banking77");
      await banking77Parity(rec, bank, cached, bankQueries, intentOf);
      await bank.local.dispose();
      await bank.pg.dispose();

      // (3) Ingest, with the real embedder.
      const ingestPostgres = await server.open(await server.createDatabase("ingest"));
      try {
        await benchIngestParity(rec, ingestPostgres, corpus, embedder, `StackFAQ ${corpus.docs}`, quick ? 1 : 2);
      } finally {
        await ingestPostgres.close();
      }

      // (4) bot.ask on the StackFAQ stores of (2); the warm-up questions are others than the measured ones.
      const asked = queries.map((q) => q.query);
      const questions = asked.slice(0, quick ? 60 : 300);
      await benchAskLatency(rec, { stores, postgres, cached, embedder, questions });
      const warmup = asked.slice(-20);
      await benchReplicas(rec, { server, url: qualityUrl, knowledge: stores.pg.knowledge, embedder: cached, warmup, questions });
    } finally {
      await stores.local.dispose();
      await stores.pg.dispose();
      await postgres.close();
    }
  } finally {
    for (const c of corpora) await c.dispose();
  }
}

/** The machine's 1, 5 and 15 minute load averages: the figures are only as quiet as the machine was. */
function loadAverage(): string {
  return `${loadavg().map((l) => l.toFixed(1)).join(" / ")} on ${availableParallelism()} cores`;
}

/** Embeds in batches of 64 (as ingest does), saying how far it got for long lists. */
async function embedAll(embedder: Embedder, texts: readonly string[], what?: string): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < texts.length; i += 64) {
    await embedder.embed(texts.slice(i, i + 64));
    if (what && (i / 64) % 32 === 31) console.log(`    (${what}: ${i + 64} of ${texts.length} texts embedded, ${((performance.now() - start) / 1000).toFixed(0)} s)`);
  }
}

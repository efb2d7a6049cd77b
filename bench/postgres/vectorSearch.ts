import { setTimeout as sleep } from "node:timers/promises";
import hnswlib from "hnswlib-node";
import type { EmbedderIdentity, KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { hnswIndexName, hnswIndexSql } from "../../src/postgres/hnswIndex.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { PostgresKnowledgeStore, vectorSearchQuery } from "../../src/postgres/PostgresKnowledgeStore.js";
import type { BenchPostgres } from "../lib/benchPostgres.js";
import { MB } from "../lib/measure.js";
import type { Recorder, Target } from "../lib/report.js";
import { timeEachAsync, timeInterleaved } from "./timeAsync.js";
import { upsertsOf, type VectorSet } from "./vectorSets.js";

const K = 10;
const BATCH = 1000;
export const EF_SWEEP = [40, 64, 100, 200, 400];
const RECALL_TARGET: Target = { op: ">=", value: 0.98 };
const P50_TARGET: Target = { op: "<=", value: 5 };
/** PostgreSQL's statistics reach pg_stat_user_indexes within 10 s of a backend going idle. */
const STATS_DELAY_MS = 11_000;
/** Queries PostgreSQL's exact scan is timed on. */
const EXACT_SAMPLE = 100;

/**
 * How the 100k vectors reach the HNSW index: "maintained" is the product's path (the index exists from the
 * knowledge base's creation and every `apply` inserts into it); "bulk" drops it, loads, then builds it in one
 * CREATE INDEX (what loading first and indexing afterwards would cost).
 */
export type LoadPath = "maintained" | "bulk";

/**
 * pgvector's HNSW against an exact scan in the same database, beside hnswlib (LocalKnowledgeStore) on the
 * same vectors: load time through `apply`, index build time, recall@10 and latency of `searchVectors`,
 * an efSearch sweep, and proof from PostgreSQL's own statistics that the searches used the partial index.
 */
export async function benchVectorSearch(rec: Recorder, server: BenchPostgres, set: VectorSet, path: LoadPath): Promise<void> {
  const { label } = set;
  const dimensions = set.vector(0).length;
  const identity: EmbedderIdentity = { id: "bench-vectors", dimensions };
  console.log(`\n[postgres] ${label}: ${set.what}; index ${path === "maintained" ? "maintained by every apply (as llamadesk does)" : "built after the load"}`);
  const postgres = await server.open(await server.createDatabase(`vectors_${path}`), { maxConnections: 4 });
  const knowledge = "bench";
  const index = hnswIndexName(knowledge, dimensions);
  const stores: KnowledgeStore[] = [];
  try {
    const pg = await PostgresKnowledgeStore.open({ postgres, knowledge, embedder: identity, create: true });
    const local = await LocalKnowledgeStore.open({ embedder: identity, create: true });
    stores.push(pg, local);
    if (path === "bulk") await postgres.query(`DROP INDEX ${index}`);

    let pgMs = 0;
    let localMs = 0;
    for (let from = 0; from < set.size; from += BATCH) {
      const upserts = upsertsOf(set, from, from + BATCH);
      let start = performance.now();
      await pg.apply({ upserts });
      pgMs += performance.now() - start;
      start = performance.now();
      await local.apply({ upserts });
      localMs += performance.now() - start;
      if ((from / BATCH) % 20 === 19) console.log(`    loaded ${from + BATCH} (PostgreSQL ${(pgMs / 1000).toFixed(0)} s, local ${(localMs / 1000).toFixed(0)} s)`);
    }
    const what = path === "maintained" ? "HNSW maintained" : "no index yet";
    rec.record(`PostgreSQL load through apply, batches of ${BATCH}, ${what} (${label})`, pgMs / 1000, "s");
    rec.record(`LocalKnowledgeStore load through apply, in memory, hnswlib maintained (${label})`, localMs / 1000, "s");
    if (path === "bulk") {
      // pgvector builds in memory when the graph fits in maintenance_work_mem (64 MB by default), and far slower when not.
      const start = performance.now();
      await postgres.transaction(async (client) => {
        await client.query("SET LOCAL maintenance_work_mem = '1GB'");
        await client.query(hnswIndexSql(knowledge, dimensions));
      });
      rec.record(`PostgreSQL HNSW index build, CREATE INDEX after the load, maintenance_work_mem 1GB (${label})`, (performance.now() - start) / 1000, "s");
    }
    await sizes(rec, postgres, index, label);

    // The true neighbours from hnswlib's brute force (as bench/hnswVsExact.ts), which takes ~20 ms a query at 100k:
    // PostgreSQL's exact scan reads every vector out of line and takes much longer, so it is timed on a sample.
    const truth = bruteForce(set);
    const exact = await PostgresKnowledgeStore.open({ postgres, knowledge, vectorSearch: "exact" });
    stores.push(exact);
    await sleep(STATS_DELAY_MS);
    const scansBefore = await indexScans(postgres, index);
    let hnswSearches = 0;
    const sample = set.queries.slice(0, EXACT_SAMPLE);
    for (const q of set.warmup.slice(0, 5)) await exact.searchVectors(q, K);
    const exactRun = await timeEachAsync(sample, (q) => exact.searchVectors(q, K));
    console.log(`    PostgreSQL's exact scan agrees with the brute force on ${(recallAt(exactRun.results, truth) * 100).toFixed(1)}% of the top ${K} (${sample.length} queries)`);
    rec.record(`PostgreSQL exact scan p50 (${label})`, exactRun.latency.p50Ms, "ms");
    rec.record(`PostgreSQL exact scan p99 (${label})`, exactRun.latency.p99Ms, "ms");

    const search = (store: KnowledgeStore) => (q: number[]) => store.searchVectors(q, K);
    for (const q of set.warmup) await Promise.all([pg.searchVectors(q, K), local.searchVectors(q, K)]);
    hnswSearches += set.warmup.length;
    const runs = await timeInterleaved(set.queries, [
      { name: "pg", run: search(pg) },
      { name: "local", run: search(local) },
    ]);
    hnswSearches += set.queries.length;
    const pgRun = runs.get("pg")!;
    const localRun = runs.get("local")!;
    rec.record(`pgvector HNSW recall@${K}, efSearch 100 (default) (${label})`, recallAt(pgRun.results, truth), "", RECALL_TARGET);
    rec.record(`pgvector HNSW searchVectors p50, efSearch 100 (${label})`, pgRun.latency.p50Ms, "ms", P50_TARGET);
    rec.record(`pgvector HNSW searchVectors p99, efSearch 100 (${label})`, pgRun.latency.p99Ms, "ms");
    rec.record(`pgvector HNSW speed-up over the exact scan, p50 (${label})`, exactRun.latency.p50Ms / pgRun.latency.p50Ms, "x");
    rec.record(`hnswlib (LocalKnowledgeStore) recall@${K}, efSearch 192 (default) (${label})`, recallAt(localRun.results, truth), "");
    rec.record(`hnswlib (LocalKnowledgeStore) searchVectors p50 (${label})`, localRun.latency.p50Ms, "ms");
    rec.record(`hnswlib (LocalKnowledgeStore) searchVectors p99 (${label})`, localRun.latency.p99Ms, "ms");

    console.log(`\n[postgres] efSearch sweep (${label})`);
    for (const ef of EF_SWEEP) {
      const store = await PostgresKnowledgeStore.open({ postgres, knowledge, efSearch: ef });
      for (const q of set.warmup) await store.searchVectors(q, K);
      const run = await timeEachAsync(set.queries, search(store));
      hnswSearches += set.warmup.length + set.queries.length;
      await store.dispose();
      rec.record(`pgvector HNSW recall@${K} efSearch=${ef} (${label})`, recallAt(run.results, truth), "", RECALL_TARGET);
      rec.record(`pgvector HNSW searchVectors p50 efSearch=${ef} (${label})`, run.latency.p50Ms, "ms", P50_TARGET);
      rec.record(`pgvector HNSW searchVectors p99 efSearch=${ef} (${label})`, run.latency.p99Ms, "ms");
    }

    await sleep(STATS_DELAY_MS);
    const scans = (await indexScans(postgres, index)) - scansBefore;
    console.log(`    ${index}: ${scans} index scans counted by PostgreSQL during ${hnswSearches} HNSW and ${sample.length + 5} exact searchVectors calls`);
    rec.record(`searchVectors calls (HNSW mode) that scanned the partial HNSW index, share (${label})`, scans / hnswSearches, "", { op: "==", value: 1 });
    await explain(postgres, knowledge, set.queries[0]!);
  } finally {
    for (const store of stores) await store.dispose();
    await postgres.close();
  }
}

/** The ids of each query's K nearest vectors, exactly (hnswlib's BruteforceSearch, cosine). */
function bruteForce(set: VectorSet): Set<string>[] {
  const brute = new hnswlib.BruteforceSearch("cosine", set.vector(0).length);
  brute.initIndex(set.size);
  for (let i = 0; i < set.size; i++) brute.addPoint(Array.from(set.vector(i)), i);
  return set.queries.map((q) => new Set(brute.searchKnn(q, K).neighbors.map((i) => `v${i}`)));
}

/** Of the true top K, the share found (found[i] may be a sample's results: queries from the first on). */
function recallAt(found: { id: string }[][], truth: Set<string>[]): number {
  let hits = 0;
  let total = 0;
  found.forEach((ids, i) => {
    total += truth[i]!.size;
    for (const { id } of ids) if (truth[i]!.has(id)) hits++;
  });
  return hits / total;
}

async function indexScans(postgres: Postgres, index: string): Promise<number> {
  const { rows } = await postgres.query<{ scans: string }>("SELECT idx_scan AS scans FROM pg_stat_user_indexes WHERE indexrelname = $1", [index]);
  return Number(rows[0]?.scans ?? Number.NaN);
}

async function sizes(rec: Recorder, postgres: Postgres, index: string, label: string): Promise<void> {
  const { rows } = await postgres.query<{ chunks: string; index: string }>(
    "SELECT pg_total_relation_size('llamadesk_chunks') AS chunks, pg_relation_size($1::regclass) AS index",
    [index],
  );
  rec.record(`PostgreSQL HNSW index size (${label})`, Number(rows[0]!.index) / MB, "MB");
  rec.record(`PostgreSQL chunks table with its indexes (${label})`, Number(rows[0]!.chunks) / MB, "MB");
}

/** The plan of searchVectors' statement with its settings (HNSW mode, efSearch 100), for the log. */
async function explain(postgres: Postgres, knowledge: string, query: number[]): Promise<void> {
  const { settings, sql } = vectorSearchQuery(knowledge, query.length, "hnsw", 100);
  const plan = await postgres.transaction(async (client) => {
    await client.query(settings);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, [`[${query.join(",")}]`, K]);
    // The plan's nodes, without the query vector they print.
    return rows.map((r) => r["QUERY PLAN"]).filter((line) => !/Order By|Sort Key/.test(line));
  });
  console.log(`    EXPLAIN of searchVectors' statement:\n${plan.map((line) => `      ${line}`).join("\n")}`);
}

import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hnswlib from "hnswlib-node";
import type { Embedder } from "../src/knowledge/Embedder.js";
import { ExactVectorIndex } from "../src/knowledge/ExactVectorIndex.js";
import { HnswVectorIndex } from "../src/knowledge/HnswVectorIndex.js";
import type { VectorItem } from "../src/knowledge/VectorIndex.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { MB, runChild, timeEach, timed } from "./lib/measure.js";
import { lowRankSource, mulberry32, randomUnitVector, shuffled } from "./lib/random.js";
import { Recorder, type BenchRow, type Target } from "./lib/report.js";
import type { LoadIndexResult } from "./child/loadIndex.js";
import { type FaqPair, loadStackFaq } from "./datasets/stackfaq.js";

const DIMENSIONS = 512;
const K = 10;
const WARMUP_QUERIES = 50;
const BATCH = 1000;
const EF_SWEEP = [64, 128, 192, 256, 512];
/** Above this, the plain-JS ExactVectorIndex is left out (about 0.1 s a query at 100k). */
const EXACT_JS_MAX = 10_000;
/** The target the default efSearch has to meet at 100k vectors. */
const RECALL_TARGET: Target = { op: ">=", value: 0.98 };
const P50_TARGET: Target = { op: "<=", value: 1 };

/**
 * Our HnswVectorIndex against hnswlib's exact BruteforceSearch on the same vectors:
 * build time, recall@10, query latency, an efSearch sweep and the RSS of a loaded index.
 */
export async function benchHnswVsExact(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("hnsw");
  const queryCount = options.quick ? 200 : 1000;
  const sets: SyntheticSet[] = options.quick
    ? [{ kind: "random", size: 10_000, loaded: true }]
    : [
        { kind: "random", size: 10_000, loaded: false },
        { kind: "random", size: 100_000, loaded: true },
        // Not a target set: uniform 512-d vectors have no neighbourhood structure, real embeddings do.
        { kind: "low-rank", size: 100_000, loaded: true },
      ];
  for (const { kind, size, loaded } of sets) {
    const label = `${size / 1000}k ${kind}`;
    const what = kind === "random" ? "random unit vectors" : "low-rank unit vectors (32-d latent + noise)";
    console.log(`\n[hnsw] ${label}: ${size} x ${DIMENSIONS}-d ${what}, ${queryCount} queries from the same distribution`);
    const source = kind === "random" ? randomSource(mulberry32(size)) : lowRankSource(mulberry32(size), DIMENSIONS);
    // Warm-up and measured queries come from the same seeded source as the vectors.
    const warmup = Array.from({ length: WARMUP_QUERIES }, source);
    const queries = Array.from({ length: queryCount }, source);
    const set = await compare(rec, label, batchesOf(size, source), size, warmup, queries);
    // Only the random set's memory is measured: the graph's size does not depend on the data.
    if (loaded) await loadedIndexFigures(rec, label, set, kind === "random");
  }
  await stackFaq(rec, options);
  return rec.rows;
}

interface SyntheticSet {
  kind: "random" | "low-rank";
  size: number;
  /** Also save, reload (memory) and sweep efSearch. */
  loaded: boolean;
}

function randomSource(random: () => number): () => number[] {
  return () => randomUnitVector(random, DIMENSIONS);
}

interface Compared {
  hnsw: HnswVectorIndex;
  warmup: number[][];
  queries: number[][];
  truth: Set<string>[];
}

/** Builds both indexes from `batches`, warms both up, then times each of `queries` on each. */
async function compare(
  rec: Recorder,
  label: string,
  batches: Iterable<VectorItem[]>,
  count: number,
  warmup: number[][],
  queries: number[][],
): Promise<Compared> {
  const hnsw = new HnswVectorIndex(DIMENSIONS);
  const brute = new hnswlib.BruteforceSearch("cosine", DIMENSIONS);
  brute.initIndex(count);
  const idOfLabel: string[] = [];
  const plain = count <= EXACT_JS_MAX ? new ExactVectorIndex(DIMENSIONS) : undefined;
  let buildMs = 0;
  for (const items of batches) {
    plain?.upsert(items);
    const start = performance.now();
    hnsw.upsert(items);
    buildMs += performance.now() - start;
    for (const { id, vector } of items) {
      brute.addPoint(vector, idOfLabel.length);
      idOfLabel.push(id);
    }
  }
  rec.record(`HnswVectorIndex build time (${label})`, buildMs / 1000, "s");
  console.log(`    = ${Math.round(count / (buildMs / 1000))} vectors/s`);

  for (const q of warmup) {
    brute.searchKnn(q, K);
    hnsw.search(q, K);
  }
  const exact = timeEach(queries, (q) => brute.searchKnn(q, K));
  const truth = exact.results.map((r) => new Set(r.neighbors.map((l) => idOfLabel[l]!)));
  const meanSimilarity = (rank: number) => exact.results.reduce((sum, r) => sum + 1 - r.distances[rank]!, 0) / queries.length;
  console.log(`    true neighbours: mean cosine ${meanSimilarity(0).toFixed(3)} (1st) vs ${meanSimilarity(Math.min(K, count) - 1).toFixed(3)} (${K}th) (the closer the two, the harder the search)`);
  const approx = timeEach(queries, (q) => hnsw.search(q, K));
  const recall = recallAt(approx.results.map((hits) => hits.map((h) => h.id)), truth, Math.min(K, count));
  rec.record(`recall@${K}, default efSearch (${label})`, recall, "", RECALL_TARGET);
  rec.record(`HNSW query p50, default efSearch (${label})`, approx.latency.p50Ms, "ms", P50_TARGET);
  rec.record(`HNSW query p99, default efSearch (${label})`, approx.latency.p99Ms, "ms");
  rec.record(`brute-force query p50 (${label})`, exact.latency.p50Ms, "ms");
  rec.record(`brute-force query p99 (${label})`, exact.latency.p99Ms, "ms");
  rec.record(`HNSW speed-up over brute force, p50 (${label})`, exact.latency.p50Ms / approx.latency.p50Ms, "x");
  if (plain) timeExactJs(rec, label, plain, warmup, queries, truth);
  return { hnsw, warmup, queries, truth };
}

/** Our plain-JS ExactVectorIndex on the same vectors: what the "exact" index kind costs. */
function timeExactJs(rec: Recorder, label: string, exact: ExactVectorIndex, warmup: number[][], queries: number[][], truth: Set<string>[]): void {
  for (const q of warmup) exact.search(q, K);
  const run = timeEach(queries, (q) => exact.search(q, K));
  const recall = recallAt(run.results.map((hits) => hits.map((h) => h.id)), truth, Math.min(K, exact.size));
  console.log(`    ExactVectorIndex agrees with BruteforceSearch on ${(recall * 100).toFixed(1)}% of the top ${K}`);
  rec.record(`ExactVectorIndex (JS) query p50 (${label})`, run.latency.p50Ms, "ms");
  rec.record(`ExactVectorIndex (JS) query p99 (${label})`, run.latency.p99Ms, "ms");
}

function recallAt(found: string[][], truth: Set<string>[], k: number): number {
  let hits = 0;
  found.forEach((ids, i) => {
    for (const id of ids) if (truth[i]!.has(id)) hits++;
  });
  return hits / (k * found.length);
}

function* batchesOf(count: number, source: () => number[]): Iterable<VectorItem[]> {
  for (let start = 0; start < count; start += BATCH) {
    const items: VectorItem[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) items.push({ id: `v${i}`, vector: source() });
    yield items;
  }
}

/** Saves the index, measures it loaded in a fresh process, then sweeps efSearch on reloaded copies. */
async function loadedIndexFigures(rec: Recorder, label: string, set: Compared, memory: boolean): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-bench-hnsw-"));
  try {
    const saved = await timed(() => set.hnsw.save(dir));
    if (memory) await memoryFigures(rec, label, set, dir, saved.ms);
    console.log(`\n[hnsw] efSearch sweep (${label}), on the saved index reloaded`);
    const { warmup, queries } = set;
    for (const ef of EF_SWEEP) {
      const index = await HnswVectorIndex.load(dir, DIMENSIONS, { efSearch: ef });
      for (const q of warmup) index.search(q, K);
      const run = timeEach(queries, (q) => index.search(q, K));
      const recall = recallAt(run.results.map((hits) => hits.map((h) => h.id)), set.truth, K);
      rec.record(`recall@${K} efSearch=${ef} (${label})`, recall, "", RECALL_TARGET);
      rec.record(`HNSW query p50 efSearch=${ef} (${label})`, run.latency.p50Ms, "ms", P50_TARGET);
      rec.record(`HNSW query p99 efSearch=${ef} (${label})`, run.latency.p99Ms, "ms");
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Size on disk, load time, and the RSS and heap a loaded index costs in a fresh process. */
async function memoryFigures(rec: Recorder, label: string, set: Compared, dir: string, saveMs: number): Promise<void> {
  rec.record(`save time (${label})`, saveMs / 1000, "s");
  const graphBytes = (await stat(join(dir, "hnsw.bin"))).size;
  const labelBytes = (await stat(join(dir, "hnsw-labels.json"))).size;
  rec.record(`index files on disk (${label})`, (graphBytes + labelBytes) / MB, "MB");

  const memory = await runChild<LoadIndexResult>("child/loadIndex.js", [dir, String(DIMENSIONS)], ["--expose-gc"]);
  console.log(`    (fresh process: RSS ${(memory.before.rss / MB).toFixed(0)} MB before load, ${(memory.after.rss / MB).toFixed(0)} MB after)`);
  rec.record(`HnswVectorIndex.load time (${label})`, memory.loadMs / 1000, "s");
  rec.record(`RSS of loaded index (${label})`, (memory.after.rss - memory.before.rss) / MB, "MB");
  rec.record(`JS heap of loaded index (${label})`, (memory.after.heapUsed - memory.before.heapUsed) / MB, "MB");
  rec.record(`peak RSS while loading (${label})`, (memory.maxRss - memory.before.rss) / MB, "MB");
  rec.record(`raw float32 vectors, for reference (${label})`, (set.hnsw.size * DIMENSIONS * 4) / MB, "MB");
}

/** The real thing: StackFAQ answers and paraphrased questions embedded with the default embedder. */
async function stackFaq(rec: Recorder, options: BenchOptions): Promise<void> {
  const data = await loadStackFaq();
  const entries = options.quick ? data.entries.slice(0, 96) : data.entries;
  // A seeded sample of the paraphrases, spread over all threads.
  const paraphrases = shuffled(data.queries.map((q) => q.query), mulberry32(7)).slice(0, options.quick ? 48 : 200);
  const label = `StackFAQ ${entries.length}`;
  console.log(`\n[hnsw] ${label}: ${entries.length} answers and ${paraphrases.length} paraphrase queries, embedded with the default embedder`);
  const embedder = await options.embedder();
  const embedded = await timed(() => embedInBatches(embedder, [...entries.map(entryText), ...paraphrases]));
  console.log(`    embedded ${embedded.result.length} texts in ${(embedded.ms / 1000).toFixed(1)} s (${(embedded.result.length / (embedded.ms / 1000)).toFixed(1)} texts/s)`);
  const vectors = embedded.result.slice(0, entries.length);
  const queries = embedded.result.slice(entries.length);
  const items = entries.map((e, i) => ({ id: e.id, vector: vectors[i]! }));
  // Too few real queries to set some aside: the warm-up reuses the first of the measured ones.
  await compare(rec, label, [items], items.length, queries.slice(0, WARMUP_QUERIES), queries);
}

/** What ingest embeds for an entry: `embeddingText` of its one chunk (the connector trims both fields). */
function entryText(entry: FaqPair): string {
  return `${entry.question.trim()}\n${entry.answer.trim()}`;
}

async function embedInBatches(embedder: Embedder, texts: readonly string[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += 64) out.push(...(await embedder.embed(texts.slice(i, i + 64))));
  return out;
}

import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_SOURCES_DIR } from "../src/config.js";
import { benchIngestScaling } from "./embedPool/ingestScaling.js";
import { benchServeThroughput } from "./embedPool/serveThroughput.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { run } from "./lib/serveProcess.js";

/**
 * USE-lite in a pool of worker threads (BENCH_ONLY=embed-pool): (1) ingest docs/s with the pool against
 * cores × the in-thread figure (target ≥ 0.8), (2) `llamadesk serve` asks/s and ask latency (p50, p95) at
 * 50 concurrent conversations with the pool against embedWorkers 1, all in one run. Several minutes.
 * A busy machine depresses both: each part prints the load average beside its figures.
 */
export async function benchEmbedPool(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("embed-pool");
  const cores = availableParallelism();
  await benchIngestScaling(rec, { quick: options.quick, cores });
  const root = await mkdtemp(join(tmpdir(), "llamadesk-bench-embed-pool-serve-"));
  try {
    const indexDir = join(root, "index");
    await run(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir], root);
    await benchServeThroughput(rec, { root, indexDir, cores, conversations: 50, asksEach: options.quick ? 4 : 20, rounds: options.quick ? 1 : 2 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rec.rows;
}

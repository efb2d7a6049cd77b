import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { EmbedderPool } from "../../src/knowledge/pool/EmbedderPool.js";
import { useLitePool } from "../../src/knowledge/pool/useLitePool.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { loadStackFaq } from "../datasets/stackfaq.js";
import type { Recorder } from "../lib/report.js";
import { loadNow } from "./loadNow.js";

interface IngestRun {
  docsPerSecond: number;
  /** CPU seconds of this process (every thread) per wall second: the cores the ingest kept busy. */
  coresBusy: number;
  /** CPU milliseconds (every thread) per doc: what contention from other processes does not change much. */
  cpuMsPerDoc: number;
}

/**
 * Ingest (connector, chunking, embedding, index, save) of StackFAQ entries with USE-lite in this thread,
 * in a pool of one worker, and in a pool of one worker per core, alternating, best of `rounds`. The target:
 * pool docs/s ÷ (cores × in-thread docs/s) ≥ 0.8.
 */
export async function benchIngestScaling(rec: Recorder, options: { quick: boolean; cores: number }): Promise<void> {
  const { entries } = await loadStackFaq();
  const docs = entries.slice(0, options.quick ? 128 : 480);
  const rounds = options.quick ? 1 : 2;
  const root = await mkdtemp(join(tmpdir(), "llamadesk-bench-embed-pool-"));
  const contenders: { name: string; embedder: Embedder }[] = [
    { name: "in-thread (embedWorkers 1, today)", embedder: new UseLiteEmbedder() },
    { name: "pool of 1 worker", embedder: useLitePool({ workers: 1 }) },
    { name: `pool of ${options.cores} workers (default)`, embedder: useLitePool({ workers: options.cores }) },
  ];
  try {
    const faqDir = join(root, "faq");
    await mkdir(faqDir);
    await writeFile(join(faqDir, "stackfaq.json"), JSON.stringify(docs));
    console.log(`\n[embed-pool] ingest of StackFAQ ${docs.length} entries, best of ${rounds} alternating rounds; ${loadNow()}`);
    for (const { embedder } of contenders) {
      if (embedder instanceof EmbedderPool) await embedder.ready();
      await embedder.embed(["warm up the model", "and its batch path"]);
    }
    const best = new Map<string, IngestRun>();
    let run = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const { name, embedder } of contenders) {
        const result = await ingestOnce(embedder, faqDir, join(root, `index-${run++}`), docs.length);
        console.log(`    round ${round}, ${name}: ${result.docsPerSecond.toFixed(1)} docs/s, ${result.coresBusy.toFixed(2)} cores busy, ${result.cpuMsPerDoc.toFixed(0)} CPU ms/doc`);
        if (result.docsPerSecond > (best.get(name)?.docsPerSecond ?? 0)) best.set(name, result);
      }
    }
    for (const { name } of contenders) {
      rec.record(`ingest docs/s, ${name}`, best.get(name)!.docsPerSecond, "docs/s");
      rec.record(`cores busy during that ingest, ${name}`, best.get(name)!.coresBusy, "cores");
      rec.record(`CPU time per doc (all threads), ${name}`, best.get(name)!.cpuMsPerDoc, "ms");
    }
    const single = best.get(contenders[0]!.name)!.docsPerSecond;
    const pooled = best.get(contenders[2]!.name)!.docsPerSecond;
    rec.record(`ingest scaling: pool docs/s ÷ (${options.cores} cores × in-thread docs/s)`, pooled / (options.cores * single), "", { op: ">=", value: 0.8 });
    rec.record("ingest scaling: pool of 1 worker ÷ in-thread (the pool's own cost)", best.get(contenders[1]!.name)!.docsPerSecond / single, "x");
    console.log(`    after: ${loadNow()}`);
  } finally {
    for (const { embedder } of contenders) await embedder.dispose?.();
    await rm(root, { recursive: true, force: true });
  }
}

async function ingestOnce(embedder: Embedder, faqDir: string, indexDir: string, count: number): Promise<IngestRun> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const store = await LocalKnowledgeStore.open({ dir: indexDir, embedder, create: true });
  try {
    const summary = await ingest({ store, embedder, connectors: [new FaqFilesConnector({ paths: [faqDir] })] });
    if (summary.added !== count) throw new Error(`ingest added ${summary.added} docs, expected ${count}`);
  } finally {
    await store.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { docsPerSecond: count / seconds, coresBusy: cpuSeconds / seconds, cpuMsPerDoc: (cpuSeconds * 1000) / count };
}

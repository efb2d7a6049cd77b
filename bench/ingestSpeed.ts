import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaqFilesConnector } from "../connectors/faq-files/index.js";
import { chunkDoc } from "../src/knowledge/chunkDoc.js";
import type { Embedder } from "../src/knowledge/Embedder.js";
import { ingest, embeddingText } from "../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../src/knowledge/LocalKnowledgeStore.js";
import type { SourceDoc } from "../src/types.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { CountingEmbedder } from "./lib/CountingEmbedder.js";
import { MB, runChild, timed } from "./lib/measure.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { loadStackFaq } from "./datasets/stackfaq.js";
import type { IngestOnceResult } from "./child/ingestOnce.js";

const EMBED_BATCH = 64;

/**
 * What ingest costs on top of embedding: the bare embedder against the whole ingest
 * path (connector, chunking, index, save) on the StackFAQ set, a no-op re-ingest,
 * and the peak RSS of an ingest in a fresh process.
 */
export async function benchIngestSpeed(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("ingest");
  const data = await loadStackFaq();
  const entries = options.quick ? data.entries.slice(0, 96) : data.entries;
  const rounds = options.quick ? 1 : 2;
  const label = `StackFAQ ${entries.length}`;
  const root = await mkdtemp(join(tmpdir(), "llamadesk-bench-ingest-"));
  try {
    const faqDir = join(root, "faq");
    await mkdir(faqDir);
    await writeFile(join(faqDir, "stackfaq.json"), JSON.stringify(entries, null, 2));
    const connector = () => new FaqFilesConnector({ paths: [faqDir] });
    const docs: SourceDoc[] = [];
    for await (const doc of connector().pull()) docs.push(doc);
    const texts = docs.flatMap((doc) => chunkDoc(doc).map(embeddingText));
    console.log(`\n[ingest] ${label}: ${docs.length} docs, ${texts.length} chunks; (a) bare embedder vs (b) ingest + save, best of ${rounds} alternating runs`);

    const embedder = await options.embedder();
    let bareBest = 0;
    let ingestBest = 0;
    let indexDir = "";
    let vectors: number[][] = [];
    for (let round = 1; round <= rounds; round++) {
      const bare = await timed(() => embedInBatches(embedder, texts));
      vectors = bare.result;
      const bareRate = docs.length / (bare.ms / 1000);
      indexDir = join(root, `index-${round}`);
      const whole = await timed(async () => {
        const store = await LocalKnowledgeStore.open({ dir: indexDir, embedder, create: true });
        return ingest({ store, embedder, connectors: [connector()] });
      });
      const wholeRate = docs.length / (whole.ms / 1000);
      console.log(`    round ${round}: (a) ${bareRate.toFixed(1)} docs/s, (b) ${wholeRate.toFixed(1)} docs/s (${whole.result.added} added, ${whole.result.chunksEmbedded} chunks embedded)`);
      bareBest = Math.max(bareBest, bareRate);
      ingestBest = Math.max(ingestBest, wholeRate);
    }
    rec.record(`(a) bare embedder, batches of ${EMBED_BATCH} (${label})`, bareBest, "docs/s");
    rec.record(`(b) ingest + save (${label})`, ingestBest, "docs/s");
    rec.record(`(b)/(a) throughput ratio (${label})`, ingestBest / bareBest, "", { op: ">=", value: 0.9 });

    // What ingest costs besides embedding, free of embedder noise: the same path with vectors looked up.
    const instant = new InstantEmbedder(embedder, texts, vectors);
    const overhead = await timed(async () => {
      const store = await LocalKnowledgeStore.open({ dir: join(root, "index-instant"), embedder: instant, create: true });
      await ingest({ store, embedder: instant, connectors: [connector()] });
    });
    rec.record(`(b) minus embedding: ingest + save with precomputed vectors (${label})`, overhead.ms, "ms");
    console.log(`    = ${(overhead.ms / docs.length).toFixed(2)} ms/doc, against ${(1000 / bareBest).toFixed(1)} ms/doc of embedding: ratio (b)/(a) should be about ${(1000 / bareBest / (1000 / bareBest + overhead.ms / docs.length)).toFixed(3)}`);

    const counting = new CountingEmbedder(embedder);
    const again = await timed(async () => {
      const store = await LocalKnowledgeStore.open({ dir: indexDir, embedder: counting });
      return ingest({ store, embedder: counting, connectors: [connector()] });
    });
    console.log(`    (c) re-ingest: ${again.result.unchanged} unchanged, ${again.result.added} added, ${again.result.updated} updated, ${again.result.deleted} deleted`);
    rec.record(`(c) re-ingest unchanged: load + ingest + save (${label})`, again.ms / 1000, "s", { op: "<", value: 2 });
    rec.record(`(c) embedder calls during re-ingest (${label})`, counting.calls, "calls", { op: "==", value: 0 });

    const child = await runChild<IngestOnceResult>("child/ingestOnce.js", [faqDir, join(root, "index-child")]);
    console.log(`    (d) fresh process: ${child.docs} docs in ${(child.ms / 1000).toFixed(1)} s; RSS ${(child.rssAfterWarmup / MB).toFixed(0)} MB with the model loaded`);
    rec.record(`(d) peak RSS of a whole ingest process (${label})`, child.maxRss / MB, "MB");
    rec.record(`(d) peak RSS above the warmed-up model (${label})`, (child.maxRss - child.rssAfterWarmup) / MB, "MB");
    const bare = await runChild<IngestOnceResult>("child/ingestOnce.js", [faqDir, join(root, "unused"), "embed-only"]);
    rec.record(`(d) baseline: peak RSS of a process only embedding the texts (${label})`, bare.maxRss / MB, "MB");
    rec.record(`(d) ingest peak RSS minus that baseline (${label})`, (child.maxRss - bare.maxRss) / MB, "MB");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rec.rows;
}

/** Answers from vectors computed earlier, so a run measures everything but the model. */
class InstantEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly vectors = new Map<string, number[]>();

  constructor(real: Embedder, texts: readonly string[], vectors: readonly number[][]) {
    this.id = real.id;
    this.dimensions = real.dimensions;
    texts.forEach((text, i) => this.vectors.set(text, vectors[i]!));
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => {
      const vector = this.vectors.get(text);
      if (!vector) throw new Error(`InstantEmbedder: no precomputed vector for ${JSON.stringify(text.slice(0, 40))}`);
      return [...vector];
    });
  }
}

async function embedInBatches(embedder: Embedder, texts: readonly string[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) out.push(...(await embedder.embed(texts.slice(i, i + EMBED_BATCH))));
  return out;
}

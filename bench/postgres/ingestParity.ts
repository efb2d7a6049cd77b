import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { ingest } from "../../src/knowledge/ingest.js";
import type { KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { CachingEmbedder } from "../../src/testing/CachingEmbedder.js";
import { CountingEmbedder } from "../lib/CountingEmbedder.js";
import { timed } from "../lib/measure.js";
import type { Recorder } from "../lib/report.js";
import type { FaqCorpus } from "./faqCorpus.js";

/**
 * Ingest into PostgreSQL against ingest into a local index directory, on the same docs with the real embedder
 * (best of `rounds`, alternating who goes first); the same with every vector looked up (what each store adds to
 * embedding); then an unchanged re-sync of the PostgreSQL knowledge base, counting embedder calls.
 */
export async function benchIngestParity(rec: Recorder, postgres: Postgres, corpus: FaqCorpus, embedder: Embedder, label: string, rounds: number): Promise<void> {
  console.log(`\n[postgres] ingest ${label} (${corpus.docs} docs, ${corpus.texts.length} chunks): PostgreSQL vs a local index directory, best of ${rounds} alternating runs`);
  const root = await mkdtemp(join(tmpdir(), "llamadesk-bench-pg-ingest-"));
  const opened: KnowledgeStore[] = [];
  try {
    const openLocal = async (name: string, embedderUsed: Embedder) => LocalKnowledgeStore.open({ dir: join(root, name), embedder: embedderUsed, create: true });
    const openPg = async (name: string, embedderUsed: Embedder) => PostgresKnowledgeStore.open({ postgres, knowledge: name, embedder: embedderUsed, create: true });
    const run = async (open: (name: string, embedderUsed: Embedder) => Promise<KnowledgeStore>, name: string, embedderUsed: Embedder) =>
      timed(async () => {
        const store = await open(name, embedderUsed);
        opened.push(store);
        return ingest({ store, embedder: embedderUsed, connectors: [corpus.connector()] });
      });

    let best = { local: Infinity, pg: Infinity };
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? (["local", "pg"] as const) : (["pg", "local"] as const);
      for (const which of order) {
        const { ms, result } = await run(which === "local" ? openLocal : openPg, `ingest-${round}`, embedder);
        console.log(`    round ${round}, ${which === "local" ? "local" : "PostgreSQL"}: ${(ms / 1000).toFixed(1)} s (${(corpus.docs / (ms / 1000)).toFixed(1)} docs/s, ${result.chunksEmbedded} chunks embedded)`);
        best = { ...best, [which]: Math.min(best[which], ms) };
      }
    }
    rec.record(`ingest into a local index directory (${label})`, corpus.docs / (best.local / 1000), "docs/s");
    rec.record(`ingest into PostgreSQL (${label})`, corpus.docs / (best.pg / 1000), "docs/s");
    rec.record(`ingest throughput, PostgreSQL / local (${label})`, best.local / best.pg, "", { op: ">=", value: 0.9 });

    // Every vector looked up: what each store costs besides the embedder.
    const cached = new CachingEmbedder(embedder);
    await cached.embed(corpus.texts);
    const localOnly = await run(openLocal, "cached", cached);
    const pgOnly = await run(openPg, "cached", cached);
    rec.record(`ingest minus embedding (vectors looked up), local (${label})`, localOnly.ms, "ms");
    rec.record(`ingest minus embedding (vectors looked up), PostgreSQL (${label})`, pgOnly.ms, "ms");

    const counting = new CountingEmbedder(embedder);
    const pg = await PostgresKnowledgeStore.open({ postgres, knowledge: `ingest-${rounds}`, embedder: counting });
    opened.push(pg);
    const again = await timed(() => ingest({ store: pg, embedder: counting, connectors: [corpus.connector()] }));
    const s = again.result;
    console.log(`    re-sync on PostgreSQL: ${s.unchanged} unchanged, ${s.added} added, ${s.updated} updated, ${s.deleted} deleted; ${counting.texts} texts embedded`);
    rec.record(`unchanged re-sync on PostgreSQL (${label})`, again.ms / 1000, "s", { op: "<", value: 2 });
    rec.record(`embedder calls during the re-sync on PostgreSQL (${label})`, counting.calls, "calls", { op: "==", value: 0 });
  } finally {
    for (const store of opened) await store.dispose();
    await rm(root, { recursive: true, force: true });
  }
}

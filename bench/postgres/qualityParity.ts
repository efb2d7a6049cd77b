import { evaluate, type EvalMetrics } from "../../src/eval/evaluate.js";
import type { EvalQuery } from "../../src/eval/readQueriesFile.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { ingest } from "../../src/knowledge/ingest.js";
import type { KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import type { Passage } from "../../src/types.js";
import type { LabelledText } from "../datasets/banking77.js";
import type { Recorder, Target } from "../lib/report.js";
import type { FaqCorpus } from "./faqCorpus.js";

/** Both stores of one knowledge base, built from the same docs with the same embedder. */
export interface StorePair {
  local: KnowledgeStore;
  pg: PostgresKnowledgeStore;
}

const PARITY: Target = { op: "<=", value: 0.01 };

/** Ingests the corpus into an in-memory LocalKnowledgeStore and into knowledge base `knowledge` on `postgres`. */
export async function buildStorePair(corpus: FaqCorpus, embedder: Embedder, postgres: Postgres, knowledge: string): Promise<StorePair> {
  const local = await LocalKnowledgeStore.open({ embedder });
  const pg = await PostgresKnowledgeStore.open({ postgres, knowledge, embedder, create: true });
  for (const store of [local, pg]) await ingest({ store, embedder, connectors: [corpus.connector()] });
  return { local, pg };
}

/** StackFAQ hybrid MRR@10 and Recall@5 through a HybridRetriever over each store, and how often their top 10 agree. */
export async function stackFaqParity(rec: Recorder, stores: StorePair, embedder: Embedder, queries: readonly EvalQuery[]): Promise<void> {
  console.log(`\n[postgres] StackFAQ retrieval quality, hybrid: local vs PostgreSQL (${queries.length} paraphrased queries)`);
  const [local, pg] = await Promise.all([rankings(stores.local, embedder, queries), rankings(stores.pg, embedder, queries)]);
  for (const [name, m] of [["local", local.metrics], ["PostgreSQL", pg.metrics]] as const) {
    rec.record(`StackFAQ hybrid MRR@10, ${name}`, m.mrr, "");
    rec.record(`StackFAQ hybrid Recall@5, ${name}`, m.recall_at_5, "");
  }
  rec.record("StackFAQ hybrid MRR@10, |PostgreSQL - local|", Math.abs(pg.metrics.mrr - local.metrics.mrr), "", PARITY);
  rec.record("StackFAQ hybrid Recall@5, |PostgreSQL - local|", Math.abs(pg.metrics.recall_at_5 - local.metrics.recall_at_5), "", PARITY);
  rec.record("StackFAQ queries whose top-10 docs are identical on both stores, share", sameShare(local.ranked, pg.ranked), "");
}

/** banking77: past tickets retrieved for new ones on each store; top-1 intent and the majority of the top 5. */
export async function banking77Parity(rec: Recorder, stores: StorePair, embedder: Embedder, queries: readonly LabelledText[], intentOf: ReadonlyMap<string, string>): Promise<void> {
  console.log(`\n[postgres] banking77 intent accuracy, hybrid: local vs PostgreSQL (${intentOf.size} tickets, ${queries.length} queries)`);
  const results = [];
  for (const store of [stores.local, stores.pg]) {
    const retriever = new HybridRetriever({ store, embedder });
    let top1 = 0;
    let majority = 0;
    for (const q of queries) {
      const intents = (await retriever.retrieve(q.text, { k: 5 })).map((p) => intentOf.get(p.docId));
      if (intents[0] === q.category) top1++;
      if (majorityOf(intents) === q.category) majority++;
    }
    results.push({ top1: top1 / queries.length, majority: majority / queries.length });
  }
  const [local, pg] = results as [(typeof results)[number], (typeof results)[number]];
  rec.record("banking77 hybrid top-1 intent accuracy, local", local.top1, "");
  rec.record("banking77 hybrid top-1 intent accuracy, PostgreSQL", pg.top1, "");
  rec.record("banking77 hybrid top-1 intent accuracy, |PostgreSQL - local|", Math.abs(pg.top1 - local.top1), "", PARITY);
  rec.record("banking77 hybrid top-5 majority accuracy, local", local.majority, "");
  rec.record("banking77 hybrid top-5 majority accuracy, PostgreSQL", pg.majority, "");
  rec.record("banking77 hybrid top-5 majority accuracy, |PostgreSQL - local|", Math.abs(pg.majority - local.majority), "", PARITY);
}

/** Majority vote of the intents; ties go to the intent ranked first (as bench/retrievalQuality.ts counts). */
function majorityOf(intents: readonly (string | undefined)[]): string | undefined {
  const votes = new Map<string, number>();
  for (const intent of intents) if (intent) votes.set(intent, (votes.get(intent) ?? 0) + 1);
  const best = Math.max(...votes.values());
  return intents.find((i) => i !== undefined && votes.get(i) === best);
}

async function rankings(store: KnowledgeStore, embedder: Embedder, queries: readonly EvalQuery[]): Promise<{ metrics: EvalMetrics; ranked: string[][] }> {
  const retriever = new HybridRetriever({ store, embedder });
  const ranked: string[][] = [];
  const retrieve = async (query: string, k: number): Promise<Passage[]> => {
    const passages = await retriever.retrieve(query, { k, mode: "hybrid" });
    ranked.push(passages.map((p) => p.docId));
    return passages;
  };
  return { metrics: await evaluate(queries, retrieve, { k: 10 }), ranked };
}

function sameShare(a: readonly string[][], b: readonly string[][]): number {
  return a.filter((ids, i) => ids.join("\n") === b[i]!.join("\n")).length / a.length;
}

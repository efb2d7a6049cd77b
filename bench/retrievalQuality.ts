import { buildFaqIndex } from "./datasets/buildFaqIndex.js";
import { loadBanking77, type LabelledText } from "./datasets/banking77.js";
import { loadStackFaq } from "./datasets/stackfaq.js";
import { evaluate } from "../src/eval/evaluate.js";
import { HybridRetriever, type RetrievalMode } from "../src/retrieval/HybridRetriever.js";
import { reciprocalRankFusion } from "../src/retrieval/fuseScores.js";
import { CachingEmbedder } from "../src/testing/CachingEmbedder.js";
import type { Passage } from "../src/types.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { Recorder, type BenchRow } from "./lib/report.js";

const MODES: RetrievalMode[] = ["lexical", "vector", "hybrid"];

/**
 * Retrieval quality on real support data. StackFAQ: MRR@10 / Recall@1 / Recall@5 of
 * each mode, and of plain reciprocal-rank fusion (the usual hybrid) as a baseline.
 * banking77: past tickets (train) retrieved for new ones (test); a query is right
 * when the top ticket, or the majority of the top five, shares its intent.
 */
export async function benchRetrievalQuality(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("quality");
  const embedder = new CachingEmbedder(await options.embedder());

  console.log("\n== Retrieval quality: StackFAQ (719 entries, 1,249 paraphrased queries)");
  const stack = await loadStackFaq();
  const { store } = await buildFaqIndex(stack.entries, embedder);
  const retriever = new HybridRetriever({ store, embedder });
  await embedder.embed(stack.queries.map((q) => q.query));
  for (const mode of MODES) {
    const m = await evaluate(stack.queries, (q, k) => retriever.retrieve(q, { k, mode }), { k: 10 });
    const target = mode === "hybrid";
    rec.record(`StackFAQ ${mode} MRR@10`, m.mrr, "", target ? { op: ">=", value: 0.85 } : undefined);
    rec.record(`StackFAQ ${mode} Recall@1`, m.recall_at_1, "");
    rec.record(`StackFAQ ${mode} Recall@5`, m.recall_at_5, "", target ? { op: ">=", value: 0.95 } : undefined);
  }
  const rrf = await evaluate(stack.queries, (q, k) => rrfRetrieve(retriever, q, k), { k: 10 });
  rec.record("StackFAQ plain RRF MRR@10", rrf.mrr, "");
  rec.record("StackFAQ plain RRF Recall@5", rrf.recall_at_5, "");

  console.log("\n== Retrieval quality: banking77 (10,003 past tickets, 3,080 new ones, 77 intents)");
  const banking = await loadBanking77();
  const tickets = options.quick ? banking.train.slice(0, 2000) : banking.train;
  const queries = options.quick ? banking.test.slice(0, 500) : banking.test;
  const intentOf = new Map<string, string>();
  const pairs = tickets.map((t, i) => {
    intentOf.set(`ticket-${i}`, t.category);
    // The ticket text only: its intent label must not leak into what is searched.
    return { id: `ticket-${i}`, question: t.text, answer: t.text };
  });
  const bank = await buildFaqIndex(pairs, embedder);
  const bankRetriever = new HybridRetriever({ store: bank.store, embedder });
  await embedder.embed(queries.map((q) => q.text));
  for (const mode of MODES) {
    const { top1, majority5 } = await intentAccuracy(queries, intentOf, (q) => bankRetriever.retrieve(q, { k: 5, mode }));
    rec.record(`banking77 ${mode} top-1 intent accuracy`, top1, "", mode === "hybrid" ? { op: ">=", value: 0.802 } : undefined);
    rec.record(`banking77 ${mode} top-5 majority accuracy`, majority5, "");
  }
  // The wrapped embedder is shared with the other benches: leave it loaded.
  return rec.rows;
}

async function rrfRetrieve(retriever: HybridRetriever, query: string, k: number): Promise<Passage[]> {
  const [lexical, vector] = await Promise.all([
    retriever.retrieve(query, { k: 50, mode: "lexical" }),
    retriever.retrieve(query, { k: 50, mode: "vector" }),
  ]);
  const byId = new Map([...lexical, ...vector].map((p) => [p.chunkId, p]));
  const fused = reciprocalRankFusion([lexical.map((p) => p.chunkId), vector.map((p) => p.chunkId)]);
  return [...fused]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([id, score]) => ({ ...byId.get(id)!, score }));
}

async function intentAccuracy(
  queries: readonly LabelledText[],
  intentOf: ReadonlyMap<string, string>,
  retrieve: (query: string) => Promise<Passage[]>,
): Promise<{ top1: number; majority5: number }> {
  let top1 = 0;
  let majority5 = 0;
  for (const q of queries) {
    const intents = (await retrieve(q.text)).map((p) => intentOf.get(p.docId));
    if (intents[0] === q.category) top1++;
    // Majority vote of the top five; ties go to the intent ranked first.
    const votes = new Map<string, number>();
    for (const intent of intents) if (intent) votes.set(intent, (votes.get(intent) ?? 0) + 1);
    const best = Math.max(...votes.values());
    const winner = intents.find((i) => i !== undefined && votes.get(i) === best);
    if (winner === q.category) majority5++;
  }
  return { top1: top1 / queries.length, majority5: majority5 / queries.length };
}

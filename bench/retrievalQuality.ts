import { resolve } from "node:path";
import { evaluate, type EvalMetrics } from "../src/eval/evaluate.js";
import type { EvalQuery } from "../src/eval/readQueriesFile.js";
import { DEV_SET_NAMES, loadDevSet, type DevSet } from "./datasets/devSets.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { FileCachedEmbedder } from "./lib/FileCachedEmbedder.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { BASE_VARIANTS, CANDIDATE_VARIANTS, retrieverFor, type RetrievalVariant } from "./retrievalVariants.js";

type Split = "tune" | "heldOut";

/**
 * Retrieval quality on every development set at once (StackFAQ, banking77, the sample FAQ, DSTC9 with our
 * questions), each split into a tuning half and a held-out half: MRR@10 and Recall@1/5/10 of BM25 alone, vectors
 * alone, the shipped hybrid and every candidate fusion. A candidate is judged by its worst set: its lead over the
 * better single signal, on MRR and on Recall@10, on the tuning halves. The held-out halves are what
 * `npm run test:datasets` asserts.
 *
 *   BENCH_ONLY=quality npm run bench      (first run embeds ~17k texts; later runs read them from a file cache)
 */
export async function benchRetrievalQuality(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("quality");
  const embedder = new FileCachedEmbedder(await options.embedder(), resolve("node_modules/.cache/llamadesk/bench/embeddings"));
  const variants = [...BASE_VARIANTS, ...CANDIDATE_VARIANTS];
  const results = new Map<string, Map<string, Record<Split, EvalMetrics>>>();
  const sets: DevSet[] = [];
  for (const name of DEV_SET_NAMES) {
    const set = await loadDevSet(name, embedder);
    await embedder.save();
    sets.push(set);
    const bySet = new Map<string, Record<Split, EvalMetrics>>();
    results.set(name, bySet);
    const counts = `${(await set.store.counts()).docs} docs, ${set.tune.length} tuning + ${set.heldOut.length} held-out queries`;
    console.log(`\n== Retrieval quality: ${name} (${counts}); tuning | held-out: MRR@10  R@1  R@5  R@10`);
    for (const variant of variants) {
      const limit = (qs: EvalQuery[]) => (options.quick ? qs.slice(0, 300) : qs);
      const m = {
        tune: await evaluate(limit(set.tune), retrieverFor(variant, set.store, embedder), { k: 10 }),
        heldOut: await evaluate(limit(set.heldOut), retrieverFor(variant, set.store, embedder), { k: 10 }),
      };
      bySet.set(variant.name, m);
      console.log(`  ${variant.name.padEnd(26)} ${line(m.tune)} | ${line(m.heldOut)}`);
    }
  }

  console.log("\n== Fusion candidates by their worst set: lead over the better single signal (MRR, R@10), tuning | held-out");
  const ranked = [BASE_VARIANTS[2]!, ...CANDIDATE_VARIANTS]
    .map((v) => ({ v, tune: worstLead(results, v, "tune"), heldOut: worstLead(results, v, "heldOut") }))
    .sort((a, b) => Math.min(b.tune.mrr, b.tune.recall) - Math.min(a.tune.mrr, a.tune.recall));
  for (const { v, tune, heldOut } of ranked) {
    const fmt = (x: { mrr: number; recall: number; set: string }) => `MRR ${sign(x.mrr)} R@10 ${sign(x.recall)} (worst: ${x.set})`;
    console.log(`  ${v.name.padEnd(26)} ${fmt(tune)} | ${fmt(heldOut)}`);
  }

  for (const set of sets) {
    const bySet = results.get(set.name)!;
    for (const variant of BASE_VARIANTS) {
      const m = bySet.get(variant.name)!.heldOut;
      const hybrid = variant.mode === "hybrid";
      const best = (key: "mrr" | "recall_at_k") => Math.max(bySet.get("BM25 only")!.heldOut[key], bySet.get("vector only")!.heldOut[key]);
      rec.record(`${set.name} held-out ${variant.name} MRR@10`, m.mrr, "", hybrid ? { op: ">=", value: round(best("mrr")) } : undefined);
      rec.record(`${set.name} held-out ${variant.name} Recall@1`, m.recall_at_1, "");
      rec.record(`${set.name} held-out ${variant.name} Recall@5`, m.recall_at_5, "");
      rec.record(`${set.name} held-out ${variant.name} Recall@10`, m.recall_at_k, "", hybrid ? { op: ">=", value: round(best("recall_at_k")) } : undefined);
    }
  }
  await embedder.save();
  return rec.rows;
}

function worstLead(results: Map<string, Map<string, Record<Split, EvalMetrics>>>, variant: RetrievalVariant, split: Split) {
  let worst = { mrr: Infinity, recall: Infinity, set: "" };
  for (const [set, bySet] of results) {
    const m = bySet.get(variant.name)![split];
    const lexical = bySet.get("BM25 only")![split];
    const vector = bySet.get("vector only")![split];
    const mrr = m.mrr - Math.max(lexical.mrr, vector.mrr);
    const recall = m.recall_at_k - Math.max(lexical.recall_at_k, vector.recall_at_k);
    if (Math.min(mrr, recall) < Math.min(worst.mrr, worst.recall)) worst = { mrr, recall, set };
  }
  return worst;
}

function line(m: EvalMetrics): string {
  return [m.mrr, m.recall_at_1, m.recall_at_5, m.recall_at_k].map((x) => x.toFixed(3)).join("  ");
}

function sign(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

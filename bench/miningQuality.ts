
import { resolve } from "node:path";
import { parseAbcdTranscripts } from "../connectors/transcripts/index.js";
import { cosine } from "../src/knowledge/VectorIndex.js";
import { DEFAULT_SIMILARITY_THRESHOLD, resolveMiningRules } from "../src/mining/MiningConfig.js";
import { DATASETS_DIR, loadStackFaq, readDataset } from "./datasets/stackfaq.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { readLabelledThreads, scoreMining, type LabelledThread, type MiningScore } from "./mining/scoreMining.js";

const THRESHOLDS = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/**
 * Resolved-thread mining. (1) The rules on hand-labelled threads: the set they were tuned on, a
 * held-out set written afterwards, and the public ABCD sample chats; a candidate is right when the
 * thread is labelled resolved and its Q/A holds the labelled phrases. (2) The dedupe threshold on
 * StackFAQ: each paraphrase is a new candidate's question, the thread questions the existing entries.
 */
export async function benchMiningQuality(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("mining");
  console.log("\n== Mining rules on hand-labelled threads (test/fixtures/mining)");
  const tuned = await readLabelledThreads(resolve(process.cwd(), "test/fixtures/mining/labelled-threads.json"));
  const heldOut = await readLabelledThreads(resolve(process.cwd(), "test/fixtures/mining/heldout-threads.json"));
  const abcd = parseAbcdTranscripts(await readDataset(DATASETS_DIR, "abcd/abcd_sample.json"), "abcd_sample.json").threads;
  const abcdItems: LabelledThread[] = abcd.filter((t) => tuned.abcd[t.id]).map((thread) => ({ thread, expect: tuned.abcd[thread.id]!.expect }));
  const sets: [string, LabelledThread[], string[]][] = [
    ["tuning set", tuned.threads, tuned.supportUsers],
    ["held-out set", heldOut.threads, heldOut.supportUsers],
    ["ABCD sample", abcdItems, []],
  ];
  const all: MiningScore[] = [];
  for (const [name, items, supportUsers] of sets) {
    const score = await scoreMining(items, resolveMiningRules({ supportUsers }));
    all.push(score);
    console.log(`  -- ${name}: ${score.threads} threads, ${score.labelledResolved} labelled resolved`);
    for (const v of score.verdicts) {
      const mark = v.right ? "right" : v.draft ? "WRONG" : v.expected ? "MISSED" : "ok (not resolved)";
      console.log(`     ${mark.padEnd(17)} ${v.id}${v.problems.length ? `  ${v.problems.join("; ")}` : ""}`);
    }
    rec.record(`${name}: candidates`, score.candidates, "");
    rec.record(`${name}: right`, score.right, "");
    rec.record(`${name}: precision`, score.precision, "", { op: ">=", value: 0.85 });
    rec.record(`${name}: recall`, score.recall, "", { op: ">=", value: 0.8 });
  }
  const sum = (f: (s: MiningScore) => number) => all.reduce((n, s) => n + f(s), 0);
  rec.record("all sets: precision", sum((s) => s.right) / sum((s) => s.candidates), "");
  rec.record("all sets: recall", sum((s) => s.right) / sum((s) => s.labelledResolved), "");

  console.log("\n== Dedupe threshold: StackFAQ paraphrases against thread questions (USE-lite)");
  const embedder = await options.embedder();
  const stack = await loadStackFaq();
  const threadOf = (id: string) => id.split("-")[0]!;
  const questions = new Map<string, string>();
  for (const e of stack.entries) if (!questions.has(threadOf(e.id))) questions.set(threadOf(e.id), e.question);
  const queries = options.quick ? stack.queries.filter((_, i) => i % 4 === 0) : stack.queries;
  const ids = [...questions.keys()];
  const started = performance.now();
  const qVectors = await embedder.embed([...questions.values()]);
  const pVectors = await embedder.embed(queries.map((q) => q.query));
  console.log(`    (${ids.length} questions, ${queries.length} paraphrases embedded in ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const rows = queries.map((q, i) => {
    const own = threadOf(q.relevant[0]!);
    const sims = qVectors.map((v) => cosine(pVectors[i]!, v));
    let best = -1;
    let bestOther = -1;
    sims.forEach((s, j) => {
      if (best === -1 || s > sims[best]!) best = j;
      if (ids[j] !== own && (bestOther === -1 || s > sims[bestOther]!)) bestOther = j;
    });
    return { bestSim: sims[best]!, bestIsOwn: ids[best] === own, otherSim: sims[bestOther]! };
  });
  console.log("    threshold  merged (own question present)  into the right one  false merges (own question absent)");
  for (const t of THRESHOLDS) {
    const merged = rows.filter((r) => r.bestSim >= t);
    const right = merged.filter((r) => r.bestIsOwn).length;
    const falseMerges = rows.filter((r) => r.otherSim >= t).length;
    console.log(
      `    ${t.toFixed(2).padEnd(10)} ${pct(merged.length, rows.length).padEnd(30)} ${pct(right, merged.length).padEnd(19)} ${pct(falseMerges, rows.length)}`,
    );
    if (t === DEFAULT_SIMILARITY_THRESHOLD) {
      rec.record(`dedupe @${t}: paraphrases merged`, merged.length / rows.length, "");
      rec.record(`dedupe @${t}: merges into the right entry`, right / Math.max(1, merged.length), "", { op: ">=", value: 0.85 });
      rec.record(`dedupe @${t}: false merges (no duplicate present)`, falseMerges / rows.length, "", { op: "<=", value: 0.01 });
    }
  }
  return rec.rows;
}

function pct(n: number, of: number): string {
  return of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}% (${n}/${of})`;
}



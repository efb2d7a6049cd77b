import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DEMO_QUESTIONS_FILE } from "../src/config.js";
import type { EvalQuery } from "../src/eval/readQueriesFile.js";
import type { KnowledgeStore } from "../src/knowledge/KnowledgeStore.js";
import { DEFAULT_POLICY } from "../src/pipeline/AnswerPolicy.js";
import { assessAnswerability, matchConfidence, MAX_RELATED, otherQuestions } from "../src/pipeline/assessAnswerability.js";
import { HybridRetriever } from "../src/retrieval/HybridRetriever.js";
import { loadBanking77 } from "./datasets/banking77.js";
import { bankingSample, loadDevSet, type DevSet } from "./datasets/devSets.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { FileCachedEmbedder } from "./lib/FileCachedEmbedder.js";
import { Recorder, type BenchRow } from "./lib/report.js";

/** What the gate saw for one question. */
interface Seen {
  confidence: number;
  margin: number;
  /** The best passage is relevant (answerable sets only). */
  right: boolean;
  /** Other questions' best passages, best first: their lead behind the best and whether they are relevant. */
  rivals: { behind: number; right: boolean }[];
}

/**
 * The answer policy's floors against the development sets: for each minConfidence (and extractiveMargin), how many
 * answerable questions get an answer (and how many of those start with a wrong entry), and how many questions
 * asked of the wrong knowledge are declined. Answerable: StackFAQ paraphrases, the sample FAQ's queries, DSTC9 with
 * our questions (tuning halves; held-out halves printed beside). Out of domain: banking77 test rows, StackFAQ
 * paraphrases and DSTC9 questions asked of the sample FAQ, the sample FAQ's queries asked of StackFAQ.
 *
 *   BENCH_ONLY=answer-calibration npm run bench
 */
export async function benchAnswerCalibration(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("calibration");
  const embedder = new FileCachedEmbedder(await options.embedder(), resolve("node_modules/.cache/llamadesk/bench/embeddings"));
  const stack = await loadDevSet("StackFAQ", embedder);
  const sample = await loadDevSet("sample FAQ", embedder);
  const dstc9 = await loadDevSet("DSTC9", embedder);
  const banking = bankingSample(await loadBanking77()).test.map((t) => t.text);
  await embedder.embed(banking);
  await embedder.save();

  const seen = async (store: KnowledgeStore, queries: readonly EvalQuery[]): Promise<Seen[]> => {
    const retriever = new HybridRetriever({ store, embedder });
    const out: Seen[] = [];
    for (const q of queries) {
      const passages = await retriever.retrieve(q.query, { k: DEFAULT_POLICY.maxSources });
      const v = assessAnswerability(q.query, passages, DEFAULT_POLICY);
      const best = passages[0];
      const rivals = best ? otherQuestions(best, passages).map((p) => ({ behind: v.confidence - matchConfidence(q.query, p), right: q.relevant.includes(p.docId) })) : [];
      out.push({ confidence: v.confidence, margin: v.margin, right: best !== undefined && q.relevant.includes(best.docId), rivals });
    }
    return out;
  };
  const asked = (texts: readonly string[]) => texts.map((query) => ({ query, relevant: [] }));
  const answerable = async (set: DevSet) => ({ name: set.name, tune: await seen(set.store, set.tune), heldOut: await seen(set.store, set.heldOut) });
  const inDomain = [await answerable(stack), await answerable(sample), await answerable(dstc9)];
  const outOfDomain = [
    { name: "banking77 → sample FAQ", seen: await seen(sample.store, asked(options.quick ? banking.slice(0, 500) : banking)) },
    { name: "StackFAQ → sample FAQ", seen: await seen(sample.store, [...stack.tune, ...stack.heldOut]) },
    { name: "DSTC9 → sample FAQ", seen: await seen(sample.store, [...dstc9.tune, ...dstc9.heldOut]) },
    { name: "sample FAQ → StackFAQ", seen: await seen(stack.store, [...sample.tune, ...sample.heldOut]) },
  ];

  console.log("\n== Answerable sets (tuning | held-out): answered, first entry right, first entry wrong; out of domain: declined");
  console.log(`  min   ${inDomain.map((s) => s.name.padEnd(30)).join("")}${outOfDomain.map((s) => s.name.padEnd(24)).join("")}`);
  for (let min = 0.5; min <= 0.901; min += 0.02) {
    const cells = inDomain.map((s) => `${rates(s.tune, min)} | ${rates(s.heldOut, min)}`.padEnd(30));
    const ood = outOfDomain.map((s) => share(s.seen, (x) => x.confidence < min).toFixed(3).padEnd(24));
    console.log(`  ${min.toFixed(2)}  ${cells.join("")}${ood.join("")}`);
  }
  console.log("\n== Near ties: share of answered questions whose best entry leads another question by less than the margin (related list shown), and how often that best entry is wrong");
  for (const margin of [0, 0.02, 0.05, 0.1]) {
    const cells = inDomain.map((s) => {
      const answered = s.tune.filter((x) => x.confidence >= DEFAULT_POLICY.minConfidence);
      const tied = answered.filter((x) => x.margin < margin);
      return `${share(answered, (x) => x.margin < margin).toFixed(3)} tied, ${share(tied, (x) => !x.right).toFixed(3)} wrong`.padEnd(30);
    });
    console.log(`  ${margin.toFixed(2)}  ${cells.join("")}`);
  }

  console.log(
    "\n== Two tiers: answer when confidence >= high, or >= low with a lead >= lead over other questions (near ties above high list them as related).\n" +
      "   Answerable (all queries): right first / right among shown / wrong without a related list; out of domain: answered",
  );
  const grid: { high: number; low: number; lead: number; worst: number; line: string }[] = [];
  for (const high of [0.76, 0.78, 0.8, 0.82, 0.84, 0.86])
    for (const low of [0.66, 0.7, 0.74])
      for (const lead of [0.05, 0.1, 0.15]) {
        if (low > high) continue;
        const cells = inDomain.map((s) => tiers([...s.tune, ...s.heldOut], high, low, lead));
        const ood = outOfDomain.map((s) => share(s.seen, (x) => answers(x, high, low, lead)));
        const line = `  high ${high.toFixed(2)} low ${low.toFixed(2)} lead ${lead.toFixed(2)}  ${cells.map((c) => `${c.first.toFixed(2)} ${c.shown.toFixed(2)} ${c.wrong.toFixed(2)}`.padEnd(18)).join("")}  ${ood.map((x) => x.toFixed(3)).join(" ")}`;
        grid.push({ high, low, lead, worst: Math.max(...ood), line });
      }
  for (const g of grid) console.log(g.line);

  const min = DEFAULT_POLICY.minConfidence;
  for (const s of inDomain) {
    const n = s.heldOut.length;
    rec.record(`${s.name} held-out: answered (min ${min})`, s.heldOut.filter((x) => x.confidence >= min).length / n, "");
    rec.record(`${s.name} held-out: answered, first entry right`, s.heldOut.filter((x) => x.confidence >= min && x.right).length / n, "");
    rec.record(`${s.name} held-out: answered, first entry wrong`, s.heldOut.filter((x) => x.confidence >= min && !x.right).length / n, "");
  }
  for (const s of outOfDomain) rec.record(`${s.name}: declined (out of domain)`, share(s.seen, (x) => x.confidence < min), "");

  console.log("\n== Demo questions on the sample FAQ");
  const retriever = new HybridRetriever({ store: sample.store, embedder });
  for (const question of (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").filter((q) => q.trim())) {
    const passages = await retriever.retrieve(question, { k: DEFAULT_POLICY.maxSources });
    const v = assessAnswerability(question, passages, DEFAULT_POLICY);
    console.log(`  ${question}\n    confidence ${v.confidence.toFixed(3)} = cosine ${v.similarity.toFixed(3)} + 0.5 × coverage ${v.coverage.toFixed(3)}; margin ${v.margin.toFixed(3)}; ${passages[0]?.title}`);
  }
  await embedder.save();
  return rec.rows;
}

function share<T>(xs: readonly T[], test: (x: T) => boolean): number {
  return xs.length === 0 ? 0 : xs.filter(test).length / xs.length;
}

function rates(xs: readonly Seen[], min: number): string {
  const answered = share(xs, (x) => x.confidence >= min);
  const right = share(xs, (x) => x.confidence >= min && x.right);
  return `${answered.toFixed(2)} ${right.toFixed(2)} ${(answered - right).toFixed(2)}`;
}

function answers(x: Seen, high: number, low: number, lead: number): boolean {
  return x.confidence >= high || (x.confidence >= low && x.margin >= lead);
}

/** Right first, right among the entries shown (the answer and its related list), wrong without a related list. */
function tiers(xs: readonly Seen[], high: number, low: number, lead: number): { first: number; shown: number; wrong: number } {
  let first = 0;
  let shown = 0;
  let wrong = 0;
  for (const x of xs) {
    if (!answers(x, high, low, lead)) continue;
    const related = x.rivals.filter((r) => r.behind < lead).slice(0, MAX_RELATED);
    if (x.right) first++;
    if (x.right || related.some((r) => r.right)) shown++;
    if (!x.right && related.length === 0) wrong++;
  }
  const n = xs.length || 1;
  return { first: first / n, shown: shown / n, wrong: wrong / n };
}

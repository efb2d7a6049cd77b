import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createBot, type Bot } from "../src/bot.js";
import { DEMO_QUESTIONS_FILE } from "../src/config.js";
import { evaluateAnswers, type AnswerEvaluation } from "../src/eval/evaluateAnswers.js";
import type { KnowledgeStore } from "../src/knowledge/KnowledgeStore.js";
import { DEFAULT_POLICY } from "../src/pipeline/AnswerPolicy.js";
import { loadPrompts } from "../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../src/store/MemoryConversationStore.js";
import { FakeChatModel } from "../src/testing/FakeChatModel.js";
import { loadBanking77 } from "./datasets/banking77.js";
import { bankingSample, loadDevSet } from "./datasets/devSets.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { FileCachedEmbedder } from "./lib/FileCachedEmbedder.js";
import { Recorder, type BenchRow } from "./lib/report.js";

/**
 * Answer quality of the shipped policy, through `bot.ask()` on the real index and embedder (what
 * `llamadesk eval --answers` runs). The chat model is a fake: which path the bot takes (verbatim, generated, related,
 * unsure, abstain) does not depend on what the model writes.
 *   StackFAQ paraphrases without a model: answered (right entry first) and wrong; with a model: verbatim right.
 *   The sample FAQ's labelled queries and the demo questions without a model.
 *   DSTC9 (our questions) without a model.
 *   banking77 test rows (a third) asked of the sample FAQ: out of domain, abstaining is right.
 *
 *   BENCH_ONLY=answer-quality npm run bench
 */
export async function benchAnswerQuality(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("answers");
  const embedder = new FileCachedEmbedder(await options.embedder(), resolve("node_modules/.cache/llamadesk/bench/embeddings"));
  const prompts = await loadPrompts();
  const bot = (knowledge: KnowledgeStore, withModel: boolean): Bot =>
    createBot({
      knowledge,
      embedder,
      store: new MemoryConversationStore(),
      prompts,
      ...(withModel ? { chatModel: new FakeChatModel({ answers: ["Generated [1]."] }) } : {}),
    });
  const p = DEFAULT_POLICY;
  console.log(
    `\n== Answer quality at the shipped policy (minConfidence ${p.minConfidence}, suggestConfidence ${p.suggestConfidence}, extractiveMargin ${p.extractiveMargin}, ` +
      `autoExtractive ${p.autoExtractiveConfidence}/${p.autoExtractiveMargin})`,
  );
  const report = (label: string, r: AnswerEvaluation) =>
    console.log(
      `  ${label}: answered ${r.answerable.answered.toFixed(3)} (right ${r.answerable.right.toFixed(3)}, right among shown ${r.answerable.rightShown.toFixed(3)}, wrong ${r.answerable.wrong.toFixed(3)}, wrong alone ${r.answerable.wrongAlone.toFixed(3)}, ` +
        `with related ${r.answerable.related.toFixed(3)}); unsure ${r.answerable.unsure.toFixed(3)} (right offered ${r.answerable.unsureOffersRight.toFixed(3)}); declined ${r.answerable.declined.toFixed(3)}`,
    );

  const stack = await loadDevSet("StackFAQ", embedder);
  const stackQueries = [...stack.tune, ...stack.heldOut];
  const queries = options.quick ? stackQueries.slice(0, 300) : stackQueries;
  const noModel = await evaluateAnswers(bot(stack.store, false), queries);
  report("StackFAQ, no model", noModel);
  rec.record("StackFAQ no model: answered, right entry first", noModel.answerable.right, "", { op: ">=", value: 0.9 });
  rec.record("StackFAQ no model: answered, right entry among those shown", noModel.answerable.rightShown, "", { op: ">=", value: 0.9 });
  rec.record("StackFAQ no model: answered, first entry wrong", noModel.answerable.wrong, "", { op: "<=", value: 0.08 });
  rec.record("StackFAQ no model: answered wrong with no related entries", noModel.answerable.wrongAlone, "", { op: "<=", value: 0.08 });
  rec.record("StackFAQ no model: answered with related entries", noModel.answerable.related, "");
  const withModel = await evaluateAnswers(bot(stack.store, true), queries);
  const verbatim = withModel.outcomes.filter((o) => o.mode === "extractive");
  rec.record("StackFAQ auto with a model: verbatim rate", verbatim.length / queries.length, "");
  rec.record("StackFAQ auto with a model: verbatim from the right thread", verbatim.filter((o) => o.relevant.includes(o.shown[0] ?? "")).length / Math.max(1, verbatim.length), "", { op: ">=", value: 0.95 });

  const sample = await loadDevSet("sample FAQ", embedder);
  const sampleResult = await evaluateAnswers(bot(sample.store, false), [...sample.tune, ...sample.heldOut]);
  report("sample FAQ, no model", sampleResult);
  rec.record("sample FAQ no model: answered, right entry first", sampleResult.answerable.right, "");
  rec.record("sample FAQ no model: answered, first entry wrong", sampleResult.answerable.wrong, "");
  rec.record("sample FAQ no model: answered wrong with no related entries", sampleResult.answerable.wrongAlone, "");
  const demo = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").filter((q) => q.trim());
  const demoResult = await evaluateAnswers(bot(sample.store, false), demo.map((query) => ({ query, relevant: ["?"] })));
  rec.record("demo questions answered (no model)", demoResult.answerable.answered * demo.length, "of 5", { op: "==", value: demo.length });

  const dstc9 = await loadDevSet("DSTC9", embedder);
  const dstcResult = await evaluateAnswers(bot(dstc9.store, false), [...dstc9.tune, ...dstc9.heldOut]);
  report("DSTC9, no model", dstcResult);
  rec.record("DSTC9 no model: answered, right entry first", dstcResult.answerable.right, "");
  rec.record("DSTC9 no model: answered, first entry wrong", dstcResult.answerable.wrong, "");
  rec.record("DSTC9 no model: answered wrong with no related entries", dstcResult.answerable.wrongAlone, "");

  const banking = bankingSample(await loadBanking77()).test.map((t) => t.text);
  await embedder.embed(banking);
  const ood = await evaluateAnswers(bot(sample.store, false), [], options.quick ? banking.slice(0, 300) : banking);
  rec.record("banking77 test rows vs sample FAQ (out of domain): abstained", ood.outOfScope!.abstained, "", { op: ">=", value: 0.9 });
  rec.record("banking77 test rows vs sample FAQ (out of domain): unsure (closest offered)", ood.outOfScope!.unsure, "");
  await embedder.save();
  return rec.rows;
}

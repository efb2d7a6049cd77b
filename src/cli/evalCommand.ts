import { readFile } from "node:fs/promises";
import { loadConfigFile } from "../configFile.js";
import { LlamadeskError } from "../errors.js";
import { calibrate, calibrationThresholds, formatCalibration, type ScoredQuestion } from "../eval/calibrate.js";
import { evaluate, type EvalMetrics } from "../eval/evaluate.js";
import { evaluateAnswers, type AnswerEvaluation } from "../eval/evaluateAnswers.js";
import { readQueriesFile } from "../eval/readQueriesFile.js";
import { resolvePolicy, type AnswerMode } from "../pipeline/AnswerPolicy.js";
import { assessAnswerability } from "../pipeline/assessAnswerability.js";
import { createLocalBot } from "../presets/createLocalBot.js";
import type { RetrievalMode } from "../retrieval/HybridRetriever.js";
import type { Passage } from "../types.js";
import { localBotOptions } from "./askCommand.js";
import type { IndexCliOptions } from "./cliOptions.js";
import { openRetriever } from "./openRetriever.js";
import { createProgressBar } from "./progressBar.js";

export interface EvalCliOptions extends IndexCliOptions {
  queries: string;
  k: number;
  mode: RetrievalMode;
  json?: boolean;
  /** Misses printed in the text report. */
  showMisses: number;
  /** Questions the knowledge cannot answer, one per line: the calibration then shows how many each threshold lets through. */
  offTopic?: string;
  /** Run the whole answer policy instead of measuring retrieval. */
  answers?: boolean;
  /** With `answers`: a file of questions the knowledge should not answer, one per line. */
  outOfScope?: string;
  /** With `answers`: chat model and answer mode, as `llamadesk ask` takes them. */
  model?: string;
  answerMode?: AnswerMode;
  database?: string;
  knowledge?: string;
}

/** `llamadesk eval --queries FILE`: MRR and recall of the index on labelled queries (`--answers`: what the bot answers). */
export async function evalCommand(options: EvalCliOptions): Promise<number> {
  const queries = await readQueriesFile(options.queries);
  if (options.answers) return evalAnswers(queries, options);
  if (options.outOfScope !== undefined) {
    throw new LlamadeskError("INVALID_OPTION", "--out-of-scope goes with --answers: retrieval metrics need labelled queries (--off-topic gives the calibration its off-topic questions).");
  }
  const offTopicQuestions = options.offTopic === undefined ? [] : await readQuestionsFile(options.offTopic, "--off-topic");
  const { minConfidence, ...gate } = resolvePolicy((await loadConfigFile(options.config)).config.policy);
  const { retriever, embedder, dispose } = await openRetriever(options);
  try {
    const bar = createProgressBar("Evaluating", "queries");
    const best = new Map<string, Passage[]>();
    const metrics = await evaluate(
      queries,
      async (q, k) => {
        const passages = await retriever.retrieve(q, { k, mode: options.mode });
        best.set(q, passages);
        return passages;
      },
      { k: options.k, onQuery: (done, total) => bar.update(done, total) },
    );
    bar.stop();
    // Match confidence as the answerability gate computes it, so a team can set minConfidence for its embedder.
    const confidenceOf = (q: string, passages: Passage[]) => assessAnswerability(q, passages, { minConfidence, ...gate }).confidence;
    const scored: ScoredQuestion[] = queries.map((q) => {
      const passages = best.get(q.query) ?? [];
      return { confidence: confidenceOf(q.query, passages), right: passages[0] !== undefined && q.relevant.includes(passages[0].docId) };
    });
    const offTopic: number[] = [];
    for (const q of offTopicQuestions) offTopic.push(confidenceOf(q, await retriever.retrieve(q, { k: options.k, mode: options.mode })));
    const calibration = calibrate(scored, offTopic, calibrationThresholds(minConfidence));
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ mode: options.mode, ...metrics, calibration: { embedder: embedder.id, minConfidence, ...calibration } })}\n`);
    } else {
      process.stdout.write(formatReport(metrics, options.mode, options.showMisses));
      process.stdout.write(`${formatCalibration(calibration, minConfidence, embedder.id).join("\n")}\n`);
    }
    return 0;
  } finally {
    await dispose();
  }
}

export function formatReport(m: EvalMetrics, mode: RetrievalMode, showMisses: number): string {
  const lines = [
    `${m.queries} queries, mode ${mode}, k ${m.k}`,
    `MRR@${m.k}      ${m.mrr.toFixed(3)}`,
    `Recall@1    ${m.recall_at_1.toFixed(3)}`,
    `Recall@5    ${m.recall_at_5.toFixed(3)}`,
    `Recall@${m.k}${" ".repeat(Math.max(1, 5 - String(m.k).length))}${m.recall_at_k.toFixed(3)}`,
  ];
  const notFound = m.misses.filter((x) => x.rank === null);
  lines.push("", `Misses: ${m.misses.length} queries without a relevant doc first, ${notFound.length} with none in the top ${m.k}.`);
  for (const miss of m.misses.slice(0, showMisses)) {
    const where = miss.rank === null ? `not in top ${m.k}` : `rank ${miss.rank}`;
    lines.push(`  - ${JSON.stringify(miss.query)}: ${where}; wanted ${miss.relevant.join(", ")}; got ${miss.retrieved.slice(0, 3).join(", ")}`);
  }
  if (m.misses.length > showMisses) lines.push(`  ... and ${m.misses.length - showMisses} more (--show-misses N or --json for all)`);
  return `${lines.join("\n")}\n`;
}

async function evalAnswers(queries: Awaited<ReturnType<typeof readQueriesFile>>, options: EvalCliOptions): Promise<number> {
  const outOfScope = options.outOfScope === undefined ? [] : await readQuestionsFile(options.outOfScope, "--out-of-scope");
  const { index, model, config, embedder, embedderModel, database, knowledge } = options;
  const botOptions = localBotOptions({ index, model, config, embedder, embedderModel, database, knowledge, ...(options.answerMode ? { mode: options.answerMode } : {}) });
  // Each question in a conversation of its own, kept in memory: an evaluation leaves no conversations behind.
  const bot = await createLocalBot({ ...botOptions, store: ":memory:" });
  try {
    const bar = createProgressBar("Asking", "questions");
    const result = await evaluateAnswers(bot, queries, outOfScope, { onQuestion: (done, total) => bar.update(done, total) });
    bar.stop();
    const { mode, minConfidence, tieConfidence, suggestConfidence, extractiveMargin } = bot.policy;
    const policy = { mode, chatModel: bot.chatModel?.id ?? null, minConfidence, tieConfidence, suggestConfidence, extractiveMargin };
    if (options.json) process.stdout.write(`${JSON.stringify({ policy, ...result })}\n`);
    else process.stdout.write(formatAnswersReport(result, policy, options.showMisses));
    return 0;
  } finally {
    await bot.dispose();
  }
}

/** One question per line (blank lines and lines starting with # skipped); a JSONL line's "query" is taken too. */
export async function readQuestionsFile(file: string, flag: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new LlamadeskError("QUERIES_INVALID", `Cannot read ${flag} ${file}: ${(cause as Error).message}. Give a file of questions, one per line.`, { cause });
  }
  const questions = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      if (!line.startsWith("{")) return line;
      const query = (JSON.parse(line) as { query?: unknown }).query;
      if (typeof query !== "string") throw new LlamadeskError("QUERIES_INVALID", `${file}: a JSON line needs a "query" string: ${line.slice(0, 80)}`);
      return query;
    });
  if (questions.length === 0) throw new LlamadeskError("QUERIES_INVALID", `${flag} ${file} has no questions. Write one per line.`);
  return questions;
}

export function formatAnswersReport(
  r: AnswerEvaluation,
  policy: { mode: string; chatModel: string | null; minConfidence: number; tieConfidence: number; suggestConfidence: number; extractiveMargin: number },
  showMisses: number,
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const a = r.answerable;
  const lines = [
    `${a.questions} labelled questions${r.outOfScope ? `, ${r.outOfScope.questions} out-of-scope` : ""}; answer mode ${policy.mode}, ${policy.chatModel ? `chat model ${policy.chatModel}` : "no chat model"}`,
    `policy: minConfidence ${policy.minConfidence}, tieConfidence ${policy.tieConfidence}, suggestConfidence ${policy.suggestConfidence}, extractiveMargin ${policy.extractiveMargin}`,
    "",
    "Labelled questions",
    `  answered    ${pct(a.answered)}`,
    `    right     ${pct(a.right)}   (first source relevant)`,
    `    wrong     ${pct(a.wrong)}   (first source not relevant; ${pct(a.wrongAlone).trim()} with no related entries beside it)`,
    `    related   ${pct(a.related)}   (answered with related entries listed; a relevant entry among all shown: ${pct(a.rightShown).trim()})`,
    `  abstained   ${pct(a.unsure + a.declined)}`,
    `    unsure    ${pct(a.unsure)}   (close entries offered; a relevant one among them: ${pct(a.unsureOffersRight)})`,
    `    declined  ${pct(a.declined)}`,
  ];
  if (r.outOfScope) {
    const o = r.outOfScope;
    lines.push("", "Out-of-scope questions", `  abstained   ${pct(o.abstained)}   (right)`, `    unsure    ${pct(o.unsure)}`, `  answered    ${pct(o.answered)}   (each one wrong)`);
  }
  const wrong = r.outcomes.filter((o) => o.kind === "answered" && !(o.relevant.length === 0 ? false : o.relevant.includes(o.shown[0] ?? "")));
  if (wrong.length > 0 && showMisses > 0) {
    lines.push("", `Wrong answers: ${wrong.length}`);
    for (const o of wrong.slice(0, showMisses)) {
      lines.push(`  - ${JSON.stringify(o.query)}: answered from ${o.shown[0] ?? "?"}${o.relevant.length > 0 ? `; wanted ${o.relevant.slice(0, 3).join(", ")}` : " (out of scope)"}`);
    }
    if (wrong.length > showMisses) lines.push(`  ... and ${wrong.length - showMisses} more (--show-misses N or --json for all)`);
  }
  return `${lines.join("\n")}\n`;
}

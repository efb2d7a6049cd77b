import { readFile } from "node:fs/promises";
import { loadConfigFile } from "../configFile.js";
import { LlamadeskError } from "../errors.js";
import { calibrate, calibrationThresholds, formatCalibration, type ScoredQuestion } from "../eval/calibrate.js";
import { evaluate, type EvalMetrics } from "../eval/evaluate.js";
import { resolvePolicy } from "../pipeline/AnswerPolicy.js";
import { assessAnswerability } from "../pipeline/assessAnswerability.js";
import type { Passage } from "../types.js";
import { readQueriesFile } from "../eval/readQueriesFile.js";
import type { RetrievalMode } from "../retrieval/HybridRetriever.js";
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
}

/** `llamadesk eval --queries FILE`: MRR and recall of the index on labelled queries. */
export async function evalCommand(options: EvalCliOptions): Promise<number> {
  const queries = await readQueriesFile(options.queries);
  const offTopicQuestions = options.offTopic === undefined ? [] : await readQuestionLines(options.offTopic);
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

/** One question per line (blank lines and lines starting with # skipped); a JSONL line's "query" is taken too. */
async function readQuestionLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new LlamadeskError("QUERIES_INVALID", `Cannot read --off-topic ${file}: ${(cause as Error).message}. Give a file of questions, one per line.`, { cause });
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
  if (questions.length === 0) throw new LlamadeskError("QUERIES_INVALID", `--off-topic ${file} has no questions. Write one per line.`);
  return questions;
}

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { detectResolution } from "../../src/mining/detectResolution.js";
import { extractCandidate, type QaDraft } from "../../src/mining/extractCandidate.js";
import type { MiningRules } from "../../src/mining/MiningConfig.js";

/** What a labeller expects of one thread. */
export interface MiningLabel {
  resolved: boolean;
  questionIncludes?: string[];
  questionExcludes?: string[];
  answerIncludes?: string[];
  answerExcludes?: string[];
}

export interface LabelledThread {
  thread: ChatThread;
  expect: MiningLabel;
  note?: string;
}

/** `test/fixtures/mining/labelled-threads.json`: hand-labelled threads, the support users they assume, and labels for the ABCD sample's chats. */
export interface LabelledThreadsFile {
  supportUsers: string[];
  threads: LabelledThread[];
  abcd: Record<string, { expect: MiningLabel; note?: string }>;
}

export const LABELLED_THREADS_FILE = resolve(process.cwd(), "test/fixtures/mining/labelled-threads.json");

export async function readLabelledThreads(path = LABELLED_THREADS_FILE): Promise<LabelledThreadsFile> {
  return JSON.parse(await readFile(path, "utf8")) as LabelledThreadsFile;
}

export interface ThreadVerdict {
  id: string;
  expected: boolean;
  detected: boolean;
  draft?: QaDraft;
  /** A candidate was produced and every phrase label holds. */
  right: boolean;
  /** Why a produced candidate is wrong, or why a resolved thread was missed. */
  problems: string[];
}

export interface MiningScore {
  threads: number;
  labelledResolved: number;
  candidates: number;
  right: number;
  /** right / candidates */
  precision: number;
  /** right / labelled resolved */
  recall: number;
  /** Resolution detection alone: detected and labelled resolved / detected. */
  detectionPrecision: number;
  detectionRecall: number;
  verdicts: ThreadVerdict[];
}

/** Runs detection and extraction (or `extract`, e.g. a model) on labelled threads and scores them. */
export async function scoreMining(
  items: readonly LabelledThread[],
  rules: MiningRules,
  extract: (thread: ChatThread, resolution: ReturnType<typeof detectResolution>) => Promise<QaDraft | undefined> = async (t, r) => extractCandidate(t, r, rules.supportUsers),
): Promise<MiningScore> {
  const verdicts: ThreadVerdict[] = [];
  for (const { thread, expect } of items) {
    const resolution = detectResolution(thread, rules);
    const draft = resolution.resolved ? await extract(thread, resolution) : undefined;
    const problems: string[] = [];
    if (draft && !expect.resolved) problems.push("labelled not resolved");
    if (!draft && expect.resolved) problems.push(`missed (${resolution.reason ?? "no question text"})`);
    if (draft && expect.resolved) problems.push(...phraseProblems("question", draft.question, expect.questionIncludes, expect.questionExcludes), ...phraseProblems("answer", draft.answer, expect.answerIncludes, expect.answerExcludes));
    verdicts.push({ id: thread.id, expected: expect.resolved, detected: resolution.resolved, ...(draft ? { draft } : {}), right: draft !== undefined && problems.length === 0, problems });
  }
  const candidates = verdicts.filter((v) => v.draft).length;
  const right = verdicts.filter((v) => v.right).length;
  const labelledResolved = verdicts.filter((v) => v.expected).length;
  const detected = verdicts.filter((v) => v.detected).length;
  const detectedRight = verdicts.filter((v) => v.detected && v.expected).length;
  return {
    threads: verdicts.length,
    labelledResolved,
    candidates,
    right,
    precision: candidates ? right / candidates : 0,
    recall: labelledResolved ? right / labelledResolved : 0,
    detectionPrecision: detected ? detectedRight / detected : 0,
    detectionRecall: labelledResolved ? detectedRight / labelledResolved : 0,
    verdicts,
  };
}

function phraseProblems(field: string, text: string, includes: readonly string[] = [], excludes: readonly string[] = []): string[] {
  const lower = text.toLowerCase();
  return [
    ...includes.filter((p) => !lower.includes(p.toLowerCase())).map((p) => `${field} lacks "${p}"`),
    ...excludes.filter((p) => lower.includes(p.toLowerCase())).map((p) => `${field} has "${p}"`),
  ];
}

import { databaseOf, loadConfigFile } from "../configFile.js";
import { LlamadeskError } from "../errors.js";
import { CANDIDATE_STATUSES, type Candidate, type CandidateEdits, type CandidateStatus, type ReviewQueue } from "../mining/ReviewQueue.js";
import { resolveReviewQueuePath } from "../mining/reviewQueuePath.js";
import { openDatabase, openReviewQueue } from "../openStateStores.js";
import { formatCandidate } from "./formatCandidate.js";
import { reviewInteractively } from "./reviewInteractively.js";

export interface ReviewCliOptions {
  status?: string;
  json?: boolean;
  approve?: string;
  reject?: string;
  edit?: string;
  question?: string;
  answer?: string;
  interactive?: boolean;
  queue?: string;
  index?: string;
  config?: string;
  /** `--database URL`, `--knowledge NAME`: the queue in PostgreSQL. */
  database?: string;
  knowledge?: string;
}

/**
 * `llamadesk review`: lists mined candidates, changes one (`--approve`, `--reject`, `--edit`), or walks
 * through the pending ones in the terminal (the default when stdin and stdout are terminals).
 */
export async function reviewCommand(options: ReviewCliOptions): Promise<number> {
  const actions = [options.approve, options.reject, options.edit].filter((a) => a !== undefined);
  if (actions.length > 1) throw new LlamadeskError("INVALID_OPTION", "Give one of --approve, --reject and --edit at a time.");
  const edits: CandidateEdits = { ...(options.question !== undefined ? { question: options.question } : {}), ...(options.answer !== undefined ? { answer: options.answer } : {}) };
  if (options.edit !== undefined && edits.question === undefined && edits.answer === undefined) {
    throw new LlamadeskError("INVALID_OPTION", '--edit needs --question "..." and/or --answer "...".');
  }
  if ((edits.question !== undefined || edits.answer !== undefined) && options.edit === undefined && options.approve === undefined) {
    throw new LlamadeskError("INVALID_OPTION", "--question and --answer go with --edit ID or --approve ID.");
  }
  const status = parseStatus(options.status);
  const loaded = await loadConfigFile(options.config);
  const database = databaseOf(options, loaded.config);
  const postgres = await openDatabase(database.url);
  const path = resolveReviewQueuePath(options, loaded);
  const queue = await openReviewQueue({ path, postgres, knowledge: database.knowledge }).catch(async (error: unknown) => {
    await postgres?.close();
    throw error;
  });
  const where = postgres ? `${postgres.where} (knowledge "${database.knowledge ?? "default"}")` : path;
  try {
    if (options.approve !== undefined) return done(await queue.approve(options.approve, edits), "approved", options.json);
    if (options.reject !== undefined) return done(await queue.reject(options.reject), "rejected", options.json);
    if (options.edit !== undefined) return done(await queue.edit(options.edit, edits), "edited", options.json);
    const interactive = options.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true && !options.json && options.status === undefined);
    if (interactive) {
      if (status !== "pending") throw new LlamadeskError("INVALID_OPTION", "Interactive review walks through pending candidates; leave out --status, or add --json to list others.");
      return await reviewInteractively(queue);
    }
    return await list(queue, status, where, options.json === true);
  } finally {
    await queue.dispose();
    await postgres?.close();
  }
}

async function list(queue: ReviewQueue, status: CandidateStatus | "all", path: string, json: boolean): Promise<number> {
  const candidates = await queue.list({ status });
  if (json) {
    process.stdout.write(`${JSON.stringify({ queue: path, status, candidates })}\n`);
    return 0;
  }
  if (candidates.length === 0) {
    process.stdout.write(`No ${status === "all" ? "" : `${status} `}candidates in ${path}.\n`);
    return 0;
  }
  process.stdout.write(`${candidates.length} ${status === "all" ? "" : `${status} `}candidate${candidates.length === 1 ? "" : "s"} in ${path}:\n\n`);
  process.stdout.write(candidates.map(formatCandidate).join("\n"));
  if (status === "pending") process.stdout.write(`\nApprove with \`llamadesk review --approve ID\`, reject with --reject ID, or run \`llamadesk review\` in a terminal to go through them one by one.\n`);
  return 0;
}

function done(candidate: Candidate, verb: string, json: boolean | undefined): number {
  if (json) process.stdout.write(`${JSON.stringify(candidate)}\n`);
  else {
    process.stdout.write(`${verb} ${candidate.id}\n${formatCandidate(candidate)}`);
    if (verb !== "edited") process.stdout.write("The index changes on the next `llamadesk sync` (approved entries are added as FAQ knowledge, rejected ones removed).\n");
  }
  return 0;
}

function parseStatus(value: string | undefined): CandidateStatus | "all" {
  const status = value ?? "pending";
  if (status !== "all" && !(CANDIDATE_STATUSES as readonly string[]).includes(status)) {
    throw new LlamadeskError("INVALID_OPTION", `--status must be one of ${[...CANDIDATE_STATUSES, "all"].join(", ")} (got "${status}").`);
  }
  return status as CandidateStatus | "all";
}

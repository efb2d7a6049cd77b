import { createHash } from "node:crypto";
import type { ChatThread } from "../chat/ChatThread.js";
import { LlamadeskError } from "../errors.js";
import { questionKey } from "../knowledge/alternates.js";
import type { ResolutionSignal } from "./detectResolution.js";

/** `pending` waits for a reviewer; `merged` was folded into an FAQ entry or another candidate and needs no review. */
export type CandidateStatus = "pending" | "approved" | "rejected" | "merged";
export const CANDIDATE_STATUSES: readonly CandidateStatus[] = ["pending", "approved", "rejected", "merged"];

/** A thread a candidate stands on: its own, plus every similar thread merged into it. */
export interface CandidateSource {
  threadId: string;
  platform: string;
  url?: string;
  /** Question similarity to the candidate, for merged threads. */
  similarity?: number;
  /** ISO 8601. */
  addedAt: string;
}

/** What a merged candidate was folded into. */
export interface MergeTarget {
  /** Another candidate in the queue, or an FAQ entry in the index. */
  kind: "candidate" | "faq";
  /** Candidate id or index doc id. */
  id: string;
  /** The candidate's or FAQ entry's question, for display. */
  title: string;
  similarity: number;
}

/** What mining hands the queue. */
export interface NewCandidate {
  /** The whole conversation, for the reviewer and the fine-tuning export. */
  thread: ChatThread;
  question: string;
  answer: string;
  /** The messages the answer was taken from. */
  answerMessageIds: string[];
  signals: ResolutionSignal[];
  extractedBy: "rules" | "model";
  /** Set when the candidate duplicates something: it is stored as `merged`, not `pending`. */
  mergedInto?: MergeTarget;
}

export interface Candidate extends Omit<NewCandidate, "mergedInto"> {
  /** Short and stable: derived from the thread id ("c" + 10 hex digits). */
  id: string;
  threadId: string;
  threadUrl?: string;
  platform: string;
  status: CandidateStatus;
  /** The reviewer's wording, when edited; `finalQuestion`/`finalAnswer` pick it over the mined one. */
  editedQuestion?: string;
  editedAnswer?: string;
  mergedInto?: MergeTarget;
  /** The candidate's own thread first, then the threads merged into it. */
  provenance: CandidateSource[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last approval or rejection. */
  reviewedAt?: string;
}

export interface CandidateEdits {
  question?: string;
  answer?: string;
}

/**
 * Where an alternate question came from: a mined thread merged into the entry (or into the candidate that
 * became it), a customer's question whose answer from the entry got a 👍, or a reviewer.
 */
export type AlternateOrigin = "merged-thread" | "feedback" | "reviewer";
export const ALTERNATE_ORIGINS: readonly AlternateOrigin[] = ["merged-thread", "feedback", "reviewer"];
/** `pending` waits for a reviewer (feedback ones); merged-thread and reviewer ones are `approved` from the start. */
export type AlternateStatus = "pending" | "approved" | "rejected";
export const ALTERNATE_STATUSES: readonly AlternateStatus[] = ["pending", "approved", "rejected"];

/** What a caller hands the queue: another way customers ask an FAQ entry's question. */
export interface NewAlternate {
  /** The entry's doc id in the index ("billing.md#refunds"), or `reviewed:<candidate id>` for a mined candidate. */
  entryId: string;
  question: string;
  origin: AlternateOrigin;
  /** The mined thread, for `merged-thread`. */
  threadId?: string;
  /** The conversation and assistant turn that got the 👍, for `feedback`. */
  conversationId?: string;
  turnId?: string;
}

export interface AlternateQuestion extends NewAlternate {
  /** "a" + 10 hex digits of sha256(entry id, normalised question): the same question for the same entry is one alternate. */
  id: string;
  status: AlternateStatus;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last approval or rejection by a reviewer. */
  reviewedAt?: string;
}

export interface ListAlternatesOptions {
  /** Defaults to `"pending"`. */
  status?: AlternateStatus | "all";
  /** Only this entry's. */
  entryId?: string;
}

export interface ListCandidatesOptions {
  /** Defaults to `"pending"`. */
  status?: CandidateStatus | "all";
}

/**
 * Where mined question/answer candidates wait for review. A thread is in the queue at most once,
 * as a candidate of its own or in another's provenance, whatever its status: that is what keeps
 * a rejected thread from coming back on the next sync.
 *
 * Unknown ids: `get` gives undefined; changes throw CANDIDATE_NOT_FOUND.
 */
export interface ReviewQueue {
  /** Stores a candidate as `pending` (or `merged` with `mergedInto`). Throws INVALID_OPTION when its thread is already known. */
  add(candidate: NewCandidate): Promise<Candidate>;
  get(id: string): Promise<Candidate | undefined>;
  /** Candidates with a status (default `pending`), oldest first. */
  list(options?: ListCandidatesOptions): Promise<Candidate[]>;
  /** The candidate a thread belongs to: its own (any status, `merged` included), else the one whose provenance holds it. */
  findByThread(threadId: string): Promise<Candidate | undefined>;
  isKnownThread(threadId: string): Promise<boolean>;
  /** Records the reviewer's wording without changing the status. */
  edit(id: string, edits: CandidateEdits): Promise<Candidate>;
  /** Approves (optionally with edits). A merged candidate cannot be approved: approve what it was merged into. */
  approve(id: string, edits?: CandidateEdits): Promise<Candidate>;
  /** Rejects; an approved candidate may be rejected later (its FAQ entry then leaves the index on the next sync). */
  reject(id: string): Promise<Candidate>;
  /** Adds a similar thread to a candidate's provenance (dedupe). */
  addProvenance(id: string, source: Omit<CandidateSource, "addedAt">): Promise<Candidate>;
  /** Approved candidates, oldest first: what becomes FAQ knowledge. */
  approved(): Promise<Candidate[]>;

  /**
   * Records an alternate question of an entry: `pending` when it comes from feedback, `approved` otherwise.
   * The same question (by `questionKey`) for the same entry again returns the one already there, unchanged:
   * a rejected alternate stays rejected. Throws INVALID_OPTION for an empty entry id or question.
   */
  addAlternate(input: NewAlternate): Promise<AlternateQuestion>;
  /** Alternates with a status (default `pending`), optionally of one entry, oldest first. */
  listAlternates(options?: ListAlternatesOptions): Promise<AlternateQuestion[]>;
  /** Approves an alternate (optionally reworded). Throws ALTERNATE_NOT_FOUND for an unknown id. */
  approveAlternate(id: string, edits?: { question?: string }): Promise<AlternateQuestion>;
  /** Rejects an alternate (an approved one too: it leaves the index on the next sync). Throws ALTERNATE_NOT_FOUND. */
  rejectAlternate(id: string): Promise<AlternateQuestion>;
  /** The approved alternates per entry id: what `ingest`'s `alternates` option indexes. */
  alternatesByEntry(): Promise<Map<string, string[]>>;
  /** Closes the queue; calling it again does nothing, any other call afterwards throws STORE_FAILED. */
  dispose(): Promise<void>;
}

/** The question as approved: the reviewer's edit, else the mined one. */
export function finalQuestion(candidate: Candidate): string {
  return candidate.editedQuestion ?? candidate.question;
}

export function finalAnswer(candidate: Candidate): string {
  return candidate.editedAnswer ?? candidate.answer;
}

/** "a" + the first 10 hex digits of sha256(entry id, `questionKey(question)`). */
export function alternateIdOf(entryId: string, question: string): string {
  return `a${createHash("sha256").update(`${entryId}\u0000${questionKey(question)}`).digest("hex").slice(0, 10)}`;
}

export function checkNewAlternate(a: NewAlternate): void {
  nonEmpty("entryId", a?.entryId);
  nonEmpty("question", a.question);
  if (!(ALTERNATE_ORIGINS as readonly string[]).includes(a.origin)) invalid(`origin must be one of ${ALTERNATE_ORIGINS.map((o) => `"${o}"`).join(", ")} (got ${JSON.stringify(a.origin)})`);
}

export function checkAlternateStatus(status: string): void {
  if (status !== "all" && !(ALTERNATE_STATUSES as readonly string[]).includes(status)) {
    invalid(`alternate status must be one of ${[...ALTERNATE_STATUSES, "all"].map((s) => `"${s}"`).join(", ")} (got ${JSON.stringify(status)})`);
  }
}

export function alternateNotFound(id: string): LlamadeskError {
  return new LlamadeskError("ALTERNATE_NOT_FOUND", `No alternate question "${id}" in the review queue. List them with \`llamadesk review --alternates --status all\`.`);
}

/** "c" + the first 10 hex digits of sha256(thread id): short enough to type, stable across runs. */
export function candidateIdOf(threadId: string): string {
  return `c${createHash("sha256").update(threadId).digest("hex").slice(0, 10)}`;
}

// Checks both queues share, so they reject the same input with the same message.

export function checkNewCandidate(c: NewCandidate): void {
  if (typeof c?.thread?.id !== "string" || c.thread.id === "") invalid("thread.id must be a non-empty string");
  if (!Array.isArray(c.thread.messages)) invalid("thread.messages must be an array");
  nonEmpty("question", c.question);
  nonEmpty("answer", c.answer);
  if (c.extractedBy !== "rules" && c.extractedBy !== "model") invalid(`extractedBy must be "rules" or "model" (got ${JSON.stringify(c.extractedBy)})`);
}

export function checkEdits(edits: CandidateEdits, required: boolean): void {
  if (edits.question !== undefined) nonEmpty("question", edits.question);
  if (edits.answer !== undefined) nonEmpty("answer", edits.answer);
  if (required && edits.question === undefined && edits.answer === undefined) invalid("an edit needs a question or an answer");
}

export function checkListStatus(status: string): void {
  if (status !== "all" && !(CANDIDATE_STATUSES as readonly string[]).includes(status)) {
    invalid(`status must be one of ${[...CANDIDATE_STATUSES, "all"].map((s) => `"${s}"`).join(", ")} (got ${JSON.stringify(status)})`);
  }
}

export function candidateNotFound(id: string): LlamadeskError {
  return new LlamadeskError("CANDIDATE_NOT_FOUND", `No candidate "${id}" in the review queue. List them with \`llamadesk review --status all\`.`);
}

export function threadAlreadyQueued(threadId: string, holder: Candidate): LlamadeskError {
  return new LlamadeskError("INVALID_OPTION", `Thread "${threadId}" is already in the review queue (candidate ${holder.id}, ${holder.status}); a thread is mined once.`);
}

export function cannotReviewMerged(candidate: Candidate): LlamadeskError {
  const target = candidate.mergedInto;
  const into = target ? `${target.kind === "faq" ? "FAQ entry" : "candidate"} ${target.id}` : "another entry";
  return new LlamadeskError("INVALID_OPTION", `Candidate ${candidate.id} was merged into ${into}; review that one instead.`);
}

function nonEmpty(field: string, value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") invalid(`${field} must be a non-empty string (got ${JSON.stringify(value)})`);
}

function invalid(problem: string): never {
  throw new LlamadeskError("INVALID_OPTION", `ReviewQueue: ${problem}.`);
}

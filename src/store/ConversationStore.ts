import { LlamadeskError } from "../errors.js";
import type { ActivityQuery, ConversationActivity, FailedQuestion, FailedQuestionsQuery, SourceUse, SpanQuery } from "./ConversationActivity.js";

/** Who wrote a turn: the person asking, or the bot answering. */
export type TurnRole = "user" | "assistant";

/** How the bot ended an answer turn: it answered, it said it does not know, or it called a human. */
export type TurnOutcome = "answered" | "abstained" | "handoff";

/** Where a conversation stands: `handed-off` means a human has it and the bot stays quiet until `resolved`. */
export type ConversationStatus = "open" | "handed-off" | "resolved";

/** Why a handoff turn called a human: the customer asked for one, or the bot could not answer several times running. */
export type TurnHandoffReason = "user-request" | "repeated-abstentions";

/** A 👍 or 👎 on an answer. */
export type Vote = "up" | "down";

/** A knowledge source an answer used, as it was cited. */
export interface TurnSource {
  /** Source doc id (or chunk id) in the knowledge index. */
  id: string;
  title: string;
  /** Where it came from, as shown to the user: a URL or "faq/billing.md:42". */
  source: string;
  /** Retrieval score; comparable only within the turn. */
  score: number;
  /** Listed under a verbatim answer as a related entry (another question that matched nearly as well), not its source. */
  related?: boolean;
}

/** What a caller gives `appendTurn`; the store adds the id and time. */
export interface NewTurn {
  /** Chosen by the channel (e.g. a Slack thread); the first turn with a new id starts the conversation. */
  conversationId: string;
  role: TurnRole;
  text: string;
  /** For assistant turns. Defaults to none. */
  outcome?: TurnOutcome;
  /** Sources the answer cited. Defaults to none. */
  sources?: TurnSource[];
  /** How the answer was made, e.g. "extractive" or "generative". Defaults to none. */
  mode?: string;
  /** Channel name, kept on the conversation when this turn starts it ("slack", "web"). Defaults to none. */
  channel?: string;
  /** Platform user id, kept on the conversation when this turn starts it. Defaults to none. */
  user?: string;
  /** For handoff turns: why the bot called a human. Defaults to none. */
  handoffReason?: TurnHandoffReason;
  /** For answers: milliseconds from the question to the first token shown. Defaults to none. */
  timeToFirstTokenMs?: number;
  /** For answers and abstentions: milliseconds from the question to the whole reply. Defaults to none. */
  totalMs?: number;
}

/** A stored turn. */
export interface Turn {
  id: string;
  conversationId: string;
  role: TurnRole;
  text: string;
  /** ISO 8601. */
  createdAt: string;
  outcome?: TurnOutcome;
  sources?: TurnSource[];
  mode?: string;
  handoffReason?: TurnHandoffReason;
  timeToFirstTokenMs?: number;
  totalMs?: number;
}

export interface Conversation {
  id: string;
  channel?: string;
  /** Who started it. */
  user?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last turn or status change. */
  updatedAt: string;
  status: ConversationStatus;
}

export interface HistoryOptions {
  /** Keep only the last `limit` turns (a whole number of at least 1). Defaults to every turn. */
  limit?: number;
}

export interface FeedbackInput {
  /** An assistant turn. */
  turnId: string;
  /** Platform user id: one vote per user and turn; a later vote replaces the earlier one. */
  userId: string;
  vote: Vote;
  /** Free text, kept with the vote. Defaults to none. */
  comment?: string;
}

export interface FeedbackCounts {
  up: number;
  down: number;
}

/**
 * Where conversations, their turns and the feedback on answers live. The store records;
 * it does not decide (a handed-off conversation still accepts turns: staying quiet is the
 * bot's job). Async throughout so a server-backed store fits behind it.
 *
 * Unknown ids: reads give nothing (`undefined`, `[]`, zero counts); `setStatus` and
 * `recordFeedback` throw CONVERSATION_NOT_FOUND / TURN_NOT_FOUND rather than write nothing.
 */
export interface ConversationStore {
  /** Stores a turn, starting the conversation if its id is new. Turns keep the order they were appended in. */
  appendTurn(turn: NewTurn): Promise<Turn>;
  /** The conversation's turns, oldest first (the last `limit` of them). */
  history(conversationId: string, options?: HistoryOptions): Promise<Turn[]>;
  getConversation(id: string): Promise<Conversation | undefined>;
  /** Sets the status (any status may follow any other) and returns the updated conversation. */
  setStatus(id: string, status: ConversationStatus): Promise<Conversation>;
  /** Records a vote on an assistant turn and returns the turn's new counts. */
  recordFeedback(feedback: FeedbackInput): Promise<FeedbackCounts>;
  feedback(turnId: string): Promise<FeedbackCounts>;
  /** Deletes the conversation with its turns and their feedback. Returns false for an unknown id. */
  deleteConversation(id: string): Promise<boolean>;
  /**
   * Records that a platform event was seen, so that a redelivery of it (a Slack retry, a Discord gateway
   * replay) is not answered twice, even after a restart or by another process on the same store. `key` names
   * the event, e.g. `slack:C0123:1712345678.000100`; `ttlMs` (a whole number of at least 1) is how long to
   * remember it, by the store's clock.
   *
   * Resolves true when the key has no record, or only one whose time is up (at or after its `ttlMs`), and
   * records it until now + `ttlMs`. Resolves false while an earlier record lasts, and leaves that record as it
   * was (a redelivery does not extend it). Insert-if-absent, atomically: of calls racing on one key, on this
   * store or on any other over the same database, exactly one resolves true. Any call may delete records whose
   * time is up, for every key, so they do not pile up. Records are not part of conversations
   * (`deleteConversation` leaves them). An empty key or a bad `ttlMs` throws INVALID_OPTION.
   */
  markEventSeen(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Claims `key` for `holder` until now + `ttlMs` (the store's clock), so that work on one thing (answering in
   * one conversation) runs one at a time across every process on this store. Resolves true when no other holder
   * has a claim on the key whose time is not up, and records (or, for the same holder, extends) the claim;
   * resolves false and changes nothing otherwise. Atomic: of holders racing on a free key, exactly one gets it.
   * Claims are not part of conversations (`deleteConversation` leaves them). An empty key or holder, or a bad
   * `ttlMs`, throws INVALID_OPTION.
   */
  claim(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Ends `holder`'s claim on `key`; a claim another holder has is left as it is. Does nothing when there is none. */
  releaseClaim(key: string, holder: string): Promise<void>;
  /**
   * What happened in a span of time, grouped by period and channel (see `ActivityQuery`), counted by the
   * database (GROUP BY), so it stays fast on millions of turns. Turns count by their own time, conversations
   * by the time they started. For insights (`llamadesk report`).
   */
  activity(query: ActivityQuery): Promise<ConversationActivity>;
  /**
   * The questions the bot failed on in a span of time: its reply abstained, handed off after repeated
   * abstentions, or drew a 👎 (a request for a human is not a gap). Grouped by their wording (case and
   * outer spaces ignored), most conversations first, at most `limit` of them.
   */
  failedQuestions(query: FailedQuestionsQuery): Promise<FailedQuestion[]>;
  /** How often each source (chunk id) was given with a reply in a span of time, and the votes those replies drew. */
  sourceUse(query: SpanQuery): Promise<SourceUse[]>;
  /** Closes the store; calling it again does nothing, any other call afterwards throws STORE_FAILED. */
  dispose(): Promise<void>;
}

export const TURN_ROLES: readonly TurnRole[] = ["user", "assistant"];
export const TURN_OUTCOMES: readonly TurnOutcome[] = ["answered", "abstained", "handoff"];
export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ["open", "handed-off", "resolved"];
export const VOTES: readonly Vote[] = ["up", "down"];
export const TURN_HANDOFF_REASONS: readonly TurnHandoffReason[] = ["user-request", "repeated-abstentions"];

// Checks both stores share, so they reject the same input with the same message.

export function checkNewTurn(turn: NewTurn): void {
  checkId("conversationId", turn.conversationId);
  checkOneOf("role", turn.role, TURN_ROLES);
  if (typeof turn.text !== "string") invalid(`text must be a string (got ${typeof turn.text})`);
  if (turn.outcome !== undefined) checkOneOf("outcome", turn.outcome, TURN_OUTCOMES);
  if (turn.handoffReason !== undefined) checkOneOf("handoffReason", turn.handoffReason, TURN_HANDOFF_REASONS);
  for (const field of ["timeToFirstTokenMs", "totalMs"] as const) {
    const ms = turn[field];
    if (ms !== undefined && !(typeof ms === "number" && Number.isFinite(ms) && ms >= 0)) invalid(`${field} must be a number of milliseconds, 0 or more (got ${ms})`);
  }
}

export function checkHistoryLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) invalid(`limit must be a whole number of at least 1 (got ${limit})`);
}

export function checkStatus(status: ConversationStatus): void {
  checkOneOf("status", status, CONVERSATION_STATUSES);
}

export function checkFeedback(input: FeedbackInput): void {
  checkId("turnId", input.turnId);
  checkId("userId", input.userId);
  checkOneOf("vote", input.vote, VOTES);
}

export function checkSeenEvent(key: string, ttlMs: number): void {
  checkId("key", key);
  if (!Number.isInteger(ttlMs) || ttlMs < 1) invalid(`ttlMs must be a whole number of at least 1 (got ${ttlMs})`);
}

export function checkClaim(key: string, holder: string, ttlMs?: number): void {
  checkId("key", key);
  checkId("holder", holder);
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs < 1)) invalid(`ttlMs must be a whole number of at least 1 (got ${ttlMs})`);
}

export function conversationNotFound(id: string): LlamadeskError {
  return new LlamadeskError("CONVERSATION_NOT_FOUND", `No conversation "${id}" in the store: it has no turns yet or was deleted.`);
}

export function turnNotFound(id: string): LlamadeskError {
  return new LlamadeskError("TURN_NOT_FOUND", `No turn "${id}" in the store: it was never appended or its conversation was deleted.`);
}

export function notAnAnswer(id: string): LlamadeskError {
  return new LlamadeskError("INVALID_OPTION", `Turn "${id}" is a user turn; feedback goes on assistant turns (the bot's answers).`);
}

export function storeClosed(name: string): LlamadeskError {
  return new LlamadeskError("STORE_FAILED", `This ${name} was disposed; open a new one.`);
}

function checkId(field: string, value: string): void {
  if (typeof value !== "string" || value === "") invalid(`${field} must be a non-empty string (got ${JSON.stringify(value)})`);
}

function checkOneOf<T extends string>(field: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) invalid(`${field} must be one of ${allowed.map((a) => `"${a}"`).join(", ")} (got ${JSON.stringify(value)})`);
}

function invalid(problem: string): never {
  throw new LlamadeskError("INVALID_OPTION", `ConversationStore: ${problem}.`);
}

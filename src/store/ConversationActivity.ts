import { LlamadeskError } from "../errors.js";
import type { TurnHandoffReason, TurnOutcome, Vote } from "./ConversationStore.js";

/** A span of time, and optionally one channel. */
export interface SpanQuery {
  /** ISO 8601, inclusive. */
  since: string;
  /** ISO 8601, exclusive. */
  until: string;
  /** Only this channel's conversations ("web", "slack"). Defaults to every channel. */
  channel?: string;
}

/** How `activity` groups time: by UTC day, or by UTC week starting on Monday. */
export type ActivityPeriod = "day" | "week";

export interface ActivityQuery extends SpanQuery {
  period: ActivityPeriod;
  /**
   * Conversations that ended in a ticket (or any escalation recorded outside this store): not deflected even
   * when no turn handed them off. Defaults to none.
   */
  escalated?: readonly string[];
}

/** A group's key: the period (`YYYY-MM-DD`: the day, or the Monday of the week) and the conversation's channel (null: none recorded). */
export interface ActivityKey {
  period: string;
  channel: string | null;
}

/** Bot replies of one kind: outcome, answer mode (`extractive`, `generative`, ...; null when none) and handoff reason. */
export interface ReplyGroup extends ActivityKey {
  outcome: TurnOutcome;
  mode: string | null;
  handoffReason: TurnHandoffReason | null;
  count: number;
}

/** Votes on replies of the period (by the reply's time). */
export interface VoteGroup extends ActivityKey {
  vote: Vote;
  count: number;
}

/** Conversations started in the period. */
export interface ConversationGroup extends ActivityKey {
  conversations: number;
  /** With at least one answered reply. */
  answered: number;
  /** With a handoff reply. */
  handedOff: number;
  /** Answered, never handed off, and not in `escalated`. */
  deflected: number;
  /** Whose status is now `resolved`. */
  resolved: number;
}

/** How many replies took about `ms` milliseconds (see `timingBucketOf`). */
export interface TimingGroup extends ActivityKey {
  metric: "timeToFirstToken" | "total";
  ms: number;
  count: number;
}

export interface ConversationActivity {
  replies: ReplyGroup[];
  votes: VoteGroup[];
  conversations: ConversationGroup[];
  timings: TimingGroup[];
}

export interface FailedQuestionsQuery extends SpanQuery {
  /** The most groups to return (a whole number of at least 1). */
  limit: number;
}

/** A question (all its askings with the same wording) the bot failed on. */
export interface FailedQuestion {
  /** One of its wordings as asked. */
  text: string;
  /** Times asked and failed. */
  count: number;
  conversations: number;
  /** Channels it was asked on, sorted. */
  channels: string[];
  abstained: number;
  /** Handed off after repeated abstentions. */
  handedOff: number;
  /** Replies to it that drew a 👎. */
  thumbsDown: number;
  /** ISO 8601: the last time it was asked. */
  lastAskedAt: string;
}

/** One source (chunk) across the replies of a span. */
export interface SourceUse {
  /** The chunk id, as stored with the turn. */
  id: string;
  title: string;
  source: string;
  /** Answered replies that gave it. */
  answered: number;
  /** Abstentions (and handoffs) that showed it among the closest entries. */
  shownWhenUnanswered: number;
  /** Votes on the answered replies that gave it. */
  up: number;
  down: number;
}

/** `YYYY-MM-DD` of the UTC day, or of the Monday starting the UTC week, of an ISO 8601 time. */
export function periodOf(iso: string, period: ActivityPeriod): string {
  const day = iso.slice(0, 10);
  if (period === "day") return day;
  const date = new Date(`${day}T00:00:00.000Z`);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A duration rounded to two significant digits (to the millisecond below 100 ms), so a histogram of a
 * million timings has a few hundred buckets and percentiles read from it are within 5% of the exact ones.
 * The SQL stores compute the same (`TIMING_BUCKET_SQL`).
 */
export function timingBucketOf(ms: number): number {
  for (const [below, step] of TIMING_STEPS) if (ms < below) return Math.floor(ms / step + 0.5) * step;
  return Math.floor(ms / 100_000 + 0.5) * 100_000;
}

const TIMING_STEPS: readonly (readonly [number, number])[] = [
  [100, 1],
  [1_000, 10],
  [10_000, 100],
  [100_000, 1_000],
  [1_000_000, 10_000],
];

/** `timingBucketOf` in SQL (SQLite and PostgreSQL alike), of the column named. */
export function timingBucketSql(column: string): string {
  // floor(x + 0.5), not round(): SQLite rounds halves away from zero, PostgreSQL to even.
  const steps = TIMING_STEPS.map(([below, step]) => `WHEN ${column} < ${below} THEN floor(${column} / ${step} + 0.5) * ${step}`).join(" ");
  return `CASE ${steps} ELSE floor(${column} / 100000 + 0.5) * 100000 END`;
}

export function checkSpan(query: SpanQuery): void {
  for (const field of ["since", "until"] as const) {
    const value = query?.[field];
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) invalid(`${field} must be an ISO 8601 time (got ${JSON.stringify(value)})`);
  }
  if (query.channel !== undefined && (typeof query.channel !== "string" || query.channel === "")) invalid(`channel must be a non-empty string (got ${JSON.stringify(query.channel)})`);
}

export function checkActivityQuery(query: ActivityQuery): void {
  checkSpan(query);
  if (query.period !== "day" && query.period !== "week") invalid(`period must be "day" or "week" (got ${JSON.stringify(query.period)})`);
  if (query.escalated !== undefined && !Array.isArray(query.escalated)) invalid("escalated must be an array of conversation ids");
}

export function checkFailedQuestionsQuery(query: FailedQuestionsQuery): void {
  checkSpan(query);
  if (!Number.isInteger(query.limit) || query.limit < 1) invalid(`limit must be a whole number of at least 1 (got ${query.limit})`);
}

/** The times as the stores compare them: ISO 8601 in UTC with milliseconds, as `toISOString` writes. */
export function spanBounds(query: SpanQuery): [string, string] {
  return [new Date(query.since).toISOString(), new Date(query.until).toISOString()];
}

/** Wording that makes two askings the same question. */
export function questionKeyOf(text: string): string {
  return text.trim().toLowerCase();
}

function invalid(problem: string): never {
  throw new LlamadeskError("INVALID_OPTION", `ConversationStore: ${problem}.`);
}

import type Database from "better-sqlite3";
import {
  periodOf,
  spanBounds,
  timingBucketSql,
  type ActivityQuery,
  type ConversationActivity,
  type ConversationGroup,
  type FailedQuestion,
  type FailedQuestionsQuery,
  type ReplyGroup,
  type SourceUse,
  type SpanQuery,
  type TimingGroup,
  type VoteGroup,
} from "./ConversationActivity.js";
import type { TurnSource } from "./ConversationStore.js";

/** A day is a prefix of the ISO time: cheap, where date() on every row is not. */
const DAY = (column: string) => `substr(${column}, 1, 10)`;

/**
 * The week of an ISO time by comparing it with the span's Mondays (strings the code made, never input): a few
 * string comparisons per row. Spans of more than a year use date(), slower but without a long CASE.
 */
function weekOf(since: string, until: string): (column: string) => string {
  const mondays: string[] = [];
  for (let at = Date.parse(`${periodOf(since, "week")}T00:00:00.000Z`); at < Date.parse(until) && mondays.length <= 60; at += 7 * 86_400_000) {
    mondays.push(new Date(at).toISOString());
  }
  if (mondays.length > 60) return (column) => `date(${column}, '-6 days', 'weekday 1')`;
  if (mondays.length === 1) return () => `'${mondays[0]!.slice(0, 10)}'`;
  return (column) => `CASE ${mondays.slice(1).map((next, i) => `WHEN ${column} < '${next}' THEN '${mondays[i]!.slice(0, 10)}'`).join(" ")} ELSE '${mondays.at(-1)!.slice(0, 10)}' END`;
}

/** Replies of the span: the partial index `turns_replies_by_time` covers every column these read. */
const REPLIES_WHERE = "role = 'assistant' AND created_at >= @since AND created_at < @until AND (@channel IS NULL OR channel = @channel)";

/**
 * The counting queries of `SqliteConversationStore` (insights), each one GROUP BY over an index that
 * covers it, so a report on a million turns reads no turn text.
 */
export class SqliteActivityQueries {
  private readonly byDay: ReturnType<typeof prepareActivity>;
  private readonly failed: Database.Statement<[Record<string, unknown>], FailedRow>;
  private readonly sources: Database.Statement<[Record<string, unknown>], SourceRow>;

  constructor(db: Database.Database) {
    this.byDay = prepareActivity(db, DAY);
    this.failed = db.prepare(FAILED_QUESTIONS);
    this.sources = db.prepare(SOURCE_USE);
  }

  activity(query: ActivityQuery): ConversationActivity {
    const params = spanParams(query);
    const statements = query.period === "day" ? this.byDay : prepareActivity(this.byDay.db, weekOf(params.since, params.until));
    const read = () => ({
      replies: statements.replies.all(params),
      votes: statements.votes.all(params),
      conversations: statements.conversations.all({ ...params, escalated: JSON.stringify(query.escalated ?? []) }),
      timings: statements.timings.all(params),
    });
    // One read transaction: the four counts see the same turns, even while a bot writes.
    return statements.db.transaction(read)();
  }

  failedQuestions(query: FailedQuestionsQuery): FailedQuestion[] {
    return this.failed.all({ ...spanParams(query), limit: query.limit }).map((row) => ({
      text: row.text,
      count: row.count,
      conversations: row.conversations,
      channels: (JSON.parse(row.channels) as (string | null)[]).filter((c) => c !== null).sort(),
      abstained: row.abstained,
      handedOff: row.handedOff,
      thumbsDown: row.thumbsDown,
      lastAskedAt: row.lastAskedAt,
    }));
  }

  sourceUse(query: SpanQuery): SourceUse[] {
    return this.sources.all(spanParams(query)).map((row) => {
      const shown = (JSON.parse(row.sources) as TurnSource[]).find((s) => s.id === row.id);
      return {
        id: row.id,
        title: shown?.title ?? "",
        source: shown?.source ?? "",
        answered: row.answered,
        shownWhenUnanswered: row.shown,
        up: row.up,
        down: row.down,
      };
    });
  }
}

function spanParams(query: SpanQuery): { since: string; until: string; channel: string | null } {
  const [since, until] = spanBounds(query);
  return { since, until, channel: query.channel ?? null };
}

function prepareActivity(db: Database.Database, period: (column: string) => string) {
  const timing = (metric: string, column: string) =>
    `SELECT ${period("created_at")} AS period, channel, '${metric}' AS metric, ${timingBucketSql(column)} AS ms, count(*) AS count
     FROM turns WHERE ${REPLIES_WHERE} AND ${column} IS NOT NULL GROUP BY 1, 2, 4`;
  return {
    db,
    replies: db.prepare<[Record<string, unknown>], ReplyGroup>(
      `SELECT ${period("created_at")} AS period, channel, outcome, mode, handoff_reason AS handoffReason, count(*) AS count
       FROM turns WHERE ${REPLIES_WHERE} AND outcome IS NOT NULL GROUP BY 1, 2, 3, 4, 5`,
    ),
    votes: db.prepare<[Record<string, unknown>], VoteGroup>(
      `SELECT ${period("t.created_at")} AS period, t.channel AS channel, f.vote AS vote, count(*) AS count
       FROM feedback f CROSS JOIN turns t ON t.id = f.turn_id -- CROSS JOIN: from the votes (few) to their turns, not the other way
       WHERE t.role = 'assistant' AND t.created_at >= @since AND t.created_at < @until AND (@channel IS NULL OR t.channel = @channel)
       GROUP BY 1, 2, 3`,
    ),
    conversations: db.prepare<[Record<string, unknown>], ConversationGroup>(
      `SELECT ${period("created_at")} AS period, channel, count(*) AS conversations, sum(answered) AS answered, sum(handed_off) AS handedOff,
         sum(answered AND NOT handed_off AND id NOT IN (SELECT value FROM json_each(@escalated))) AS deflected,
         sum(status = 'resolved') AS resolved
       FROM conversations WHERE created_at >= @since AND created_at < @until AND (@channel IS NULL OR channel = @channel)
       GROUP BY 1, 2`,
    ),
    timings: db.prepare<[Record<string, unknown>], TimingGroup>(`${timing("timeToFirstToken", "ttft_ms")} UNION ALL ${timing("total", "total_ms")}`),
  };
}

interface FailedRow {
  text: string;
  count: number;
  conversations: number;
  /** JSON array, with null for turns without a channel. */
  channels: string;
  abstained: number;
  handedOff: number;
  thumbsDown: number;
  lastAskedAt: string;
}

// Replies that abstained, handed off after abstaining, or drew a 👎, each with the question it answered (the
// conversation's last user turn before it), grouped by the question's wording.
const FAILED_QUESTIONS = `
WITH downs AS (
  SELECT DISTINCT t.seq FROM feedback f JOIN turns t ON t.id = f.turn_id WHERE f.vote = 'down'
),
failed AS (
  SELECT seq, conversation_id, channel, outcome, seq IN downs AS down,
    (outcome = 'abstained' OR (outcome = 'handoff' AND handoff_reason IS NOT 'user-request')) AS missed
  FROM turns WHERE ${REPLIES_WHERE} AND (outcome IN ('abstained', 'handoff') OR seq IN downs)
),
asked AS (
  SELECT f.conversation_id, f.channel, f.outcome, f.down, q.text, q.created_at AS asked_at
  FROM failed f JOIN turns q ON q.seq = (SELECT max(u.seq) FROM turns u WHERE u.conversation_id = f.conversation_id AND u.seq < f.seq AND u.role = 'user')
  WHERE f.missed OR f.down
)
SELECT min(text) AS text, count(*) AS count, count(DISTINCT conversation_id) AS conversations, json_group_array(DISTINCT channel) AS channels,
  sum(outcome = 'abstained') AS abstained, sum(outcome = 'handoff') AS handedOff, sum(down) AS thumbsDown, max(asked_at) AS lastAskedAt
FROM asked GROUP BY lower(trim(text)) ORDER BY conversations DESC, count DESC, text LIMIT @limit`;

interface SourceRow {
  id: string;
  answered: number;
  shown: number;
  up: number;
  down: number;
  /** The JSON sources of the latest turn that gave it, for its title and location as the entry reads now. */
  sources: string;
}

const SOURCE_WHERE = "s.created_at >= @since AND s.created_at < @until AND (@channel IS NULL OR s.channel = @channel)";

const SOURCE_USE = `
WITH uses AS (
  SELECT s.source_id, sum(s.answered) AS answered, sum(NOT s.answered) AS shown, max(s.turn_seq) AS last_seq
  FROM turn_sources s WHERE ${SOURCE_WHERE} GROUP BY s.source_id
),
votes AS (
  SELECT s.source_id, sum(f.vote = 'up') AS up, sum(f.vote = 'down') AS down
  FROM feedback f CROSS JOIN turns t ON t.id = f.turn_id CROSS JOIN turn_sources s ON s.turn_seq = t.seq
  WHERE s.answered AND ${SOURCE_WHERE} GROUP BY s.source_id
)
SELECT u.source_id AS id, u.answered, u.shown, coalesce(v.up, 0) AS up, coalesce(v.down, 0) AS down, t.sources
FROM uses u LEFT JOIN votes v ON v.source_id = u.source_id JOIN turns t ON t.seq = u.last_seq
ORDER BY u.source_id`;

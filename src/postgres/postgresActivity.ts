import {
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
} from "../store/ConversationActivity.js";
import type { TurnSource } from "../store/ConversationStore.js";
import type { Postgres } from "./Postgres.js";

// The counting queries of `PostgresConversationStore` (insights): GROUP BY in the database, the replies of a
// span read through the partial index `llamadesk_turns_replies_by_time`. $1 is the knowledge base, $2 and $3 the
// span, $4 the channel (null: every channel).

const PERIOD = {
  day: (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  week: (column: string) => `to_char(date_trunc('week', ${column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`,
};

const REPLIES_WHERE = (t: string) =>
  `${t}knowledge = $1 AND ${t}role = 'assistant' AND ${t}created_at >= $2 AND ${t}created_at < $3 AND ($4::text IS NULL OR ${t}channel = $4)`;

function spanValues(knowledge: string, query: SpanQuery): unknown[] {
  return [knowledge, ...spanBounds(query), query.channel ?? null];
}

export async function postgresActivity(db: Postgres, knowledge: string, query: ActivityQuery): Promise<ConversationActivity> {
  const period = PERIOD[query.period];
  const values = spanValues(knowledge, query);
  const timing = (metric: string, column: string) =>
    `SELECT ${period("created_at")} AS period, channel, '${metric}' AS metric, ${timingBucketSql(column)} AS ms, count(*)::int AS count
     FROM llamadesk_turns WHERE ${REPLIES_WHERE("")} AND ${column} IS NOT NULL GROUP BY 1, 2, 4`;
  // One snapshot: the four counts see the same turns, even while bots write.
  return db.transaction(async (client) => {
    await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const replies = await client.query<ReplyGroup>(
      `SELECT ${period("created_at")} AS period, channel, outcome, mode, handoff_reason AS "handoffReason", count(*)::int AS count
       FROM llamadesk_turns WHERE ${REPLIES_WHERE("")} AND outcome IS NOT NULL GROUP BY 1, 2, 3, 4, 5`,
      values,
    );
    const votes = await client.query<VoteGroup>(
      `SELECT ${period("t.created_at")} AS period, t.channel, f.vote, count(*)::int AS count
       FROM llamadesk_feedback f JOIN llamadesk_turns t ON t.knowledge = f.knowledge AND t.id = f.turn_id
       WHERE f.knowledge = $1 AND ${REPLIES_WHERE("t.")} GROUP BY 1, 2, 3`,
      values,
    );
    const conversations = await client.query<ConversationGroup>(
      `SELECT ${period("created_at")} AS period, channel, count(*)::int AS conversations,
         count(*) FILTER (WHERE answered)::int AS answered, count(*) FILTER (WHERE handed_off)::int AS "handedOff",
         count(*) FILTER (WHERE answered AND NOT handed_off AND id <> ALL($5::text[]))::int AS deflected,
         count(*) FILTER (WHERE status = 'resolved')::int AS resolved
       FROM llamadesk_conversations WHERE knowledge = $1 AND created_at >= $2 AND created_at < $3 AND ($4::text IS NULL OR channel = $4)
       GROUP BY 1, 2`,
      [...values, [...(query.escalated ?? [])]],
    );
    const timings = await client.query<TimingGroup>(`${timing("timeToFirstToken", "ttft_ms")} UNION ALL ${timing("total", "total_ms")}`, values);
    return { replies: replies.rows, votes: votes.rows, conversations: conversations.rows, timings: timings.rows };
  });
}

export async function postgresFailedQuestions(db: Postgres, knowledge: string, query: FailedQuestionsQuery): Promise<FailedQuestion[]> {
  const { rows } = await db.query<Omit<FailedQuestion, "lastAskedAt" | "channels"> & { lastAskedAt: Date; channels: string[] | null }>(
    `WITH downs AS (
       SELECT DISTINCT turn_id FROM llamadesk_feedback WHERE knowledge = $1 AND vote = 'down'
     ),
     failed AS (
       SELECT t.seq, t.conversation_id, t.channel, t.outcome, t.id IN (SELECT turn_id FROM downs) AS down,
         (t.outcome = 'abstained' OR (t.outcome = 'handoff' AND t.handoff_reason IS DISTINCT FROM 'user-request')) AS missed
       FROM llamadesk_turns t WHERE ${REPLIES_WHERE("t.")} AND (t.outcome IN ('abstained', 'handoff') OR t.id IN (SELECT turn_id FROM downs))
     ),
     asked AS (
       SELECT f.conversation_id, f.channel, f.outcome, f.down, q.text, q.created_at AS asked_at
       FROM failed f CROSS JOIN LATERAL (
         SELECT u.text, u.created_at FROM llamadesk_turns u
         WHERE u.knowledge = $1 AND u.conversation_id = f.conversation_id AND u.seq < f.seq AND u.role = 'user' ORDER BY u.seq DESC LIMIT 1
       ) q
       WHERE f.missed OR f.down
     )
     SELECT min(text COLLATE "C") AS text, count(*)::int AS count, count(DISTINCT conversation_id)::int AS conversations,
       array_agg(DISTINCT channel) FILTER (WHERE channel IS NOT NULL) AS channels,
       count(*) FILTER (WHERE outcome = 'abstained')::int AS abstained, count(*) FILTER (WHERE outcome = 'handoff')::int AS "handedOff",
       count(*) FILTER (WHERE down)::int AS "thumbsDown", max(asked_at) AS "lastAskedAt"
     FROM asked GROUP BY lower(btrim(text)) ORDER BY conversations DESC, count DESC, 1 LIMIT $5`,
    [...spanValues(knowledge, query), query.limit],
  );
  return rows.map((row) => ({ ...row, channels: [...(row.channels ?? [])].sort(), lastAskedAt: row.lastAskedAt.toISOString() }));
}

export async function postgresSourceUse(db: Postgres, knowledge: string, query: SpanQuery): Promise<SourceUse[]> {
  const { rows } = await db.query<Omit<SourceUse, "title" | "source"> & { shown: number; latest: TurnSource }>(
    `WITH given AS (
       SELECT DISTINCT ON (t.seq, s.value->>'id') t.seq, t.id AS turn_id, t.outcome = 'answered' AS answered, s.value->>'id' AS source_id, s.value AS shown
       FROM llamadesk_turns t CROSS JOIN LATERAL jsonb_array_elements(t.sources) s
       WHERE ${REPLIES_WHERE("t.")} AND t.sources IS NOT NULL
       ORDER BY t.seq, s.value->>'id'
     ),
     votes AS (
       SELECT turn_id, count(*) FILTER (WHERE vote = 'up') AS up, count(*) FILTER (WHERE vote = 'down') AS down
       FROM llamadesk_feedback WHERE knowledge = $1 GROUP BY turn_id
     ),
     uses AS (
       SELECT g.source_id, count(*) FILTER (WHERE g.answered)::int AS answered, count(*) FILTER (WHERE NOT g.answered)::int AS shown,
         coalesce(sum(v.up) FILTER (WHERE g.answered), 0)::int AS up, coalesce(sum(v.down) FILTER (WHERE g.answered), 0)::int AS down
       FROM given g LEFT JOIN votes v ON v.turn_id = g.turn_id GROUP BY g.source_id
     ),
     latest AS (
       SELECT DISTINCT ON (source_id) source_id, shown FROM given ORDER BY source_id, seq DESC
     )
     SELECT u.source_id AS id, u.answered, u.shown, u.up, u.down, l.shown AS latest
     FROM uses u JOIN latest l ON l.source_id = u.source_id
     ORDER BY u.source_id COLLATE "C"`,
    spanValues(knowledge, query),
  );
  return rows.map((row) => {
    return { id: row.id, title: row.latest.title, source: row.latest.source, answered: row.answered, shownWhenUnanswered: row.shown, up: row.up, down: row.down };
  });
}

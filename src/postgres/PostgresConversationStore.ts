import { randomUUID } from "node:crypto";
import {
  checkFeedback,
  checkHistoryLimit,
  checkNewTurn,
  checkClaim,
  checkSeenEvent,
  checkStatus,
  conversationNotFound,
  notAnAnswer,
  storeClosed,
  turnNotFound,
  type Conversation,
  type ConversationStatus,
  type ConversationStore,
  type FeedbackCounts,
  type FeedbackInput,
  type HistoryOptions,
  type NewTurn,
  type Turn,
  type TurnOutcome,
  type TurnRole,
  type TurnHandoffReason,
  type TurnSource,
} from "../store/ConversationStore.js";
import {
  checkActivityQuery,
  checkFailedQuestionsQuery,
  checkSpan,
  type ActivityQuery,
  type ConversationActivity,
  type FailedQuestion,
  type FailedQuestionsQuery,
  type SourceUse,
  type SpanQuery,
} from "../store/ConversationActivity.js";
import { copyRecordedTimes } from "../store/countActivity.js";
import { postgresActivity, postgresFailedQuestions, postgresSourceUse } from "./postgresActivity.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";
import { sqlStateOf } from "./postgresErrors.js";

export interface PostgresConversationStoreOptions {
  /** The database, from `openPostgres`; the store leaves it open when disposed. */
  postgres: Postgres;
  /** The knowledge base whose conversations these are; bots of other knowledge bases on the same database see none of them. Defaults to "default". */
  knowledge?: string;
  /** Clock for `createdAt`, `updatedAt` and seen events. Defaults to the system clock. */
  now?: () => Date;
}

const TURN_COLUMNS = "id, conversation_id, role, text, outcome, sources, mode, created_at, handoff_reason, ttft_ms, total_ms";
const CONVERSATION_COLUMNS = "id, channel, user_id, status, created_at, updated_at";

interface TurnRow {
  id: string;
  conversation_id: string;
  role: TurnRole;
  text: string;
  outcome: TurnOutcome | null;
  sources: TurnSource[] | null;
  mode: string | null;
  created_at: Date;
  handoff_reason: TurnHandoffReason | null;
  ttft_ms: number | null;
  total_ms: number | null;
}

interface ConversationRow {
  id: string;
  channel: string | null;
  user_id: string | null;
  status: ConversationStatus;
  created_at: Date;
  updated_at: Date;
}

/**
 * A ConversationStore in PostgreSQL, for bots on several machines sharing one database. Safe with many
 * writers: a turn and its conversation are written in one statement, votes are upserts, and a seen event
 * is an insert-if-absent, so replicas racing on one conversation or one event lose nothing and answer once.
 */
export class PostgresConversationStore implements ConversationStore {
  private disposed = false;

  private constructor(
    private readonly db: Postgres,
    private readonly knowledge: string,
    private readonly now: () => Date,
  ) {}

  /** A store for one knowledge base's conversations in a database `openPostgres` opened. */
  static async open(options: PostgresConversationStoreOptions): Promise<PostgresConversationStore> {
    return new PostgresConversationStore(options.postgres, knowledgeNameOf("PostgresConversationStore", options.knowledge), options.now ?? (() => new Date()));
  }

  async appendTurn(input: NewTurn): Promise<Turn> {
    this.assertOpen();
    checkNewTurn(input);
    const turn: Turn = { id: randomUUID(), conversationId: input.conversationId, role: input.role, text: input.text, createdAt: this.now().toISOString() };
    if (input.outcome !== undefined) turn.outcome = input.outcome;
    if (input.sources !== undefined) turn.sources = structuredClone(input.sources);
    if (input.mode !== undefined) turn.mode = input.mode;
    copyRecordedTimes(input, turn);
    // One statement: the conversation row (its lock orders concurrent appends to it) and the turn, or neither.
    await this.db.query(
      `WITH conversation AS (
         INSERT INTO llamadesk_conversations AS c (knowledge, id, channel, user_id, status, created_at, updated_at, answered, handed_off)
         VALUES ($1, $2, $3, $4, 'open', $5, $5, coalesce($9 = 'answered', false), coalesce($9 = 'handoff', false))
         ON CONFLICT (knowledge, id) DO UPDATE SET updated_at = excluded.updated_at,
           answered = c.answered OR excluded.answered, handed_off = c.handed_off OR excluded.handed_off
         RETURNING c.knowledge, c.id, c.channel
       )
       INSERT INTO llamadesk_turns (knowledge, id, conversation_id, role, text, outcome, sources, mode, created_at, channel, handoff_reason, ttft_ms, total_ms)
       SELECT knowledge, $6, id, $7, $8, $9, $10::jsonb, $11, $5, channel, $12, $13, $14 FROM conversation`,
      [
        this.knowledge,
        turn.conversationId,
        input.channel ?? null,
        input.user ?? null,
        turn.createdAt,
        turn.id,
        turn.role,
        turn.text,
        turn.outcome ?? null,
        turn.sources === undefined ? null : JSON.stringify(turn.sources),
        turn.mode ?? null,
        turn.handoffReason ?? null,
        turn.timeToFirstTokenMs ?? null,
        turn.totalMs ?? null,
      ],
    );
    return turn;
  }

  async history(conversationId: string, options: HistoryOptions = {}): Promise<Turn[]> {
    this.assertOpen();
    checkHistoryLimit(options.limit);
    // The last `limit` turns (null: all), put back oldest first.
    const { rows } = await this.db.query<TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM (
         SELECT * FROM llamadesk_turns WHERE knowledge = $1 AND conversation_id = $2 ORDER BY seq DESC LIMIT $3
       ) AS last ORDER BY seq`,
      [this.knowledge, conversationId, options.limit ?? null],
    );
    return rows.map(toTurn);
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    this.assertOpen();
    const { rows } = await this.db.query<ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM llamadesk_conversations WHERE knowledge = $1 AND id = $2`, [this.knowledge, id]);
    return rows[0] && toConversation(rows[0]);
  }

  async setStatus(id: string, status: ConversationStatus): Promise<Conversation> {
    this.assertOpen();
    checkStatus(status);
    const { rows } = await this.db.query<ConversationRow>(
      `UPDATE llamadesk_conversations SET status = $3, updated_at = $4 WHERE knowledge = $1 AND id = $2 RETURNING ${CONVERSATION_COLUMNS}`,
      [this.knowledge, id, status, this.now().toISOString()],
    );
    if (!rows[0]) throw conversationNotFound(id);
    return toConversation(rows[0]);
  }

  async recordFeedback(input: FeedbackInput): Promise<FeedbackCounts> {
    this.assertOpen();
    checkFeedback(input);
    const at = this.now().toISOString();
    try {
      return await this.db.transaction(async (client) => {
        const { rows } = await client.query<{ role: TurnRole }>("SELECT role FROM llamadesk_turns WHERE knowledge = $1 AND id = $2", [this.knowledge, input.turnId]);
        if (!rows[0]) throw turnNotFound(input.turnId);
        if (rows[0].role !== "assistant") throw notAnAnswer(input.turnId);
        await client.query(
          `INSERT INTO llamadesk_feedback (knowledge, turn_id, user_id, vote, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (knowledge, turn_id, user_id) DO UPDATE SET vote = excluded.vote, comment = excluded.comment, created_at = excluded.created_at`,
          [this.knowledge, input.turnId, input.userId, input.vote, input.comment ?? null, at],
        );
        const counts = await client.query<FeedbackCounts>(COUNTS, [this.knowledge, input.turnId]);
        return { ...counts.rows[0]! };
      });
    } catch (error) {
      // The turn's conversation was deleted between the look-up and the vote.
      if (sqlStateOf(error) === "23503") throw turnNotFound(input.turnId);
      throw error;
    }
  }

  async feedback(turnId: string): Promise<FeedbackCounts> {
    this.assertOpen();
    const { rows } = await this.db.query<FeedbackCounts>(COUNTS, [this.knowledge, turnId]);
    return { ...rows[0]! };
  }

  async deleteConversation(id: string): Promise<boolean> {
    this.assertOpen();
    // Turns and their feedback go with it (ON DELETE CASCADE).
    const { rowCount } = await this.db.query("DELETE FROM llamadesk_conversations WHERE knowledge = $1 AND id = $2", [this.knowledge, id]);
    return (rowCount ?? 0) > 0;
  }

  async markEventSeen(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    checkSeenEvent(key, ttlMs);
    const now = this.now();
    // Prune first, in a statement of its own that skips rows others are pruning: it never waits, and holds no
    // lock while the insert below waits on a racing call, so two calls cannot deadlock.
    await this.db.query(
      `DELETE FROM llamadesk_seen_events WHERE (knowledge, key) IN (
         SELECT knowledge, key FROM llamadesk_seen_events WHERE knowledge = $1 AND expires_at <= $2 FOR UPDATE SKIP LOCKED
       )`,
      [this.knowledge, now.toISOString()],
    );
    // Insert-if-absent (or replace a record whose time is up): of calls racing on the key, one gets a row back.
    const { rowCount } = await this.db.query(
      `INSERT INTO llamadesk_seen_events AS s (knowledge, key, expires_at) VALUES ($1, $2, $4)
       ON CONFLICT (knowledge, key) DO UPDATE SET expires_at = excluded.expires_at WHERE s.expires_at <= $3
       RETURNING 1`,
      [this.knowledge, key, now.toISOString(), new Date(now.getTime() + ttlMs).toISOString()],
    );
    return rowCount === 1;
  }

  async claim(key: string, holder: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    checkClaim(key, holder, ttlMs);
    const now = this.now();
    // Taken when free, expired, or already this holder's; of holders racing on a free key, one gets a row back.
    const { rowCount } = await this.db.query(
      `INSERT INTO llamadesk_claims AS c (knowledge, key, holder, expires_at) VALUES ($1, $2, $3, $5)
       ON CONFLICT (knowledge, key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE c.holder = excluded.holder OR c.expires_at <= $4
       RETURNING 1`,
      [this.knowledge, key, holder, now.toISOString(), new Date(now.getTime() + ttlMs).toISOString()],
    );
    return rowCount === 1;
  }

  async releaseClaim(key: string, holder: string): Promise<void> {
    this.assertOpen();
    checkClaim(key, holder);
    await this.db.query("DELETE FROM llamadesk_claims WHERE knowledge = $1 AND key = $2 AND holder = $3", [this.knowledge, key, holder]);
  }

  async activity(query: ActivityQuery): Promise<ConversationActivity> {
    this.assertOpen();
    checkActivityQuery(query);
    return postgresActivity(this.db, this.knowledge, query);
  }

  async failedQuestions(query: FailedQuestionsQuery): Promise<FailedQuestion[]> {
    this.assertOpen();
    checkFailedQuestionsQuery(query);
    return postgresFailedQuestions(this.db, this.knowledge, query);
  }

  async sourceUse(query: SpanQuery): Promise<SourceUse[]> {
    this.assertOpen();
    checkSpan(query);
    return postgresSourceUse(this.db, this.knowledge, query);
  }

  /** Marks the store closed; the database stays open for whoever opened it. */
  async dispose(): Promise<void> {
    this.disposed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private assertOpen(): void {
    if (this.disposed) throw storeClosed("PostgresConversationStore");
  }
}

const COUNTS = `SELECT count(*) FILTER (WHERE vote = 'up')::int AS up, count(*) FILTER (WHERE vote = 'down')::int AS down
  FROM llamadesk_feedback WHERE knowledge = $1 AND turn_id = $2`;

function toTurn(row: TurnRow): Turn {
  const turn: Turn = { id: row.id, conversationId: row.conversation_id, role: row.role, text: row.text, createdAt: row.created_at.toISOString() };
  if (row.outcome !== null) turn.outcome = row.outcome;
  if (row.sources !== null) turn.sources = row.sources;
  if (row.mode !== null) turn.mode = row.mode;
  if (row.handoff_reason !== null) turn.handoffReason = row.handoff_reason;
  if (row.ttft_ms !== null) turn.timeToFirstTokenMs = row.ttft_ms;
  if (row.total_ms !== null) turn.totalMs = row.total_ms;
  return turn;
}

function toConversation(row: ConversationRow): Conversation {
  const conversation: Conversation = { id: row.id, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(), status: row.status };
  if (row.channel !== null) conversation.channel = row.channel;
  if (row.user_id !== null) conversation.user = row.user_id;
  return conversation;
}

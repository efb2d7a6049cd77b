import type { PoolClient } from "pg";
import type { ConversationRecord, SeenEventRecord } from "../store/readSqliteConversations.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface CopyConversationsOptions {
  postgres: Postgres;
  /** The knowledge base the conversations belong to. Defaults to "default". */
  knowledge?: string | undefined;
  conversations: Iterable<ConversationRecord>;
  /** Seen-event records to keep (a platform's retry after the move is still answered once). Defaults to none. */
  seenEvents?: readonly SeenEventRecord[];
  /** Conversations per transaction. Defaults to 200. */
  batchSize?: number;
  /** After each batch: conversations done. */
  onProgress?: (done: number) => void;
}

export interface CopyCounts {
  /** In the source. */
  total: number;
  /** Written now; the rest were there already. */
  copied: number;
}

export interface CopyConversationsSummary {
  conversations: CopyCounts;
  turns: CopyCounts;
  votes: CopyCounts;
  seenEvents: CopyCounts;
}

/**
 * Writes conversations, with their turns and votes, into PostgreSQL as they are: same ids, same times,
 * turns in the same order. Rows already there are left as they are (a conversation takes the status and
 * time of a newer copy), so running it again copies only what is new.
 */
export async function copyConversations(options: CopyConversationsOptions): Promise<CopyConversationsSummary> {
  const { postgres } = options;
  const knowledge = knowledgeNameOf("copyConversations", options.knowledge);
  const batchSize = options.batchSize ?? 200;
  const summary: CopyConversationsSummary = {
    conversations: { total: 0, copied: 0 },
    turns: { total: 0, copied: 0 },
    votes: { total: 0, copied: 0 },
    seenEvents: { total: 0, copied: 0 },
  };
  let batch: ConversationRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const copied = await postgres.transaction((client) => writeBatch(client, knowledge, batch));
    summary.conversations.total += batch.length;
    summary.conversations.copied += copied.conversations;
    summary.turns.total += batch.reduce((n, c) => n + c.turns.length, 0);
    summary.turns.copied += copied.turns;
    summary.votes.total += batch.reduce((n, c) => n + c.votes.length, 0);
    summary.votes.copied += copied.votes;
    batch = [];
    options.onProgress?.(summary.conversations.total);
  };
  for (const conversation of options.conversations) {
    batch.push(conversation);
    if (batch.length >= batchSize) await flush();
  }
  await flush();

  const seen = options.seenEvents ?? [];
  if (seen.length > 0) {
    const { rowCount } = await postgres.query(
      `INSERT INTO llamadesk_seen_events (knowledge, key, expires_at)
       SELECT $1, x.key, to_timestamp(x.ms / 1000.0) FROM unnest($2::text[], $3::float8[]) AS x(key, ms)
       ON CONFLICT (knowledge, key) DO NOTHING`,
      [knowledge, seen.map((e) => e.key), seen.map((e) => e.expiresAt)],
    );
    summary.seenEvents = { total: seen.length, copied: rowCount ?? 0 };
  }
  return summary;
}

async function writeBatch(client: PoolClient, knowledge: string, batch: readonly ConversationRecord[]): Promise<{ conversations: number; turns: number; votes: number }> {
  const conversations = await client.query<{ inserted: boolean }>(
    `INSERT INTO llamadesk_conversations AS c (knowledge, id, channel, user_id, status, created_at, updated_at, answered, handed_off)
     SELECT $1, x.id, x.channel, x.user_id, x.status, x.created_at, x.updated_at, x.answered, x.handed_off
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::boolean[], $9::boolean[])
       AS x(id, channel, user_id, status, created_at, updated_at, answered, handed_off)
     ON CONFLICT (knowledge, id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
       answered = c.answered OR excluded.answered, handed_off = c.handed_off OR excluded.handed_off
     WHERE c.updated_at < excluded.updated_at
     RETURNING (xmax = 0) AS inserted`,
    [
      knowledge,
      batch.map((c) => c.id),
      batch.map((c) => c.channel ?? null),
      batch.map((c) => c.user ?? null),
      batch.map((c) => c.status),
      batch.map((c) => c.createdAt),
      batch.map((c) => c.updatedAt),
      batch.map((c) => c.turns.some((t) => t.outcome === "answered")),
      batch.map((c) => c.turns.some((t) => t.outcome === "handoff")),
    ],
  );
  const turns = batch.flatMap((c) => c.turns);
  // WITH ORDINALITY ... ORDER BY: the turns take their seq (history's order) in the order they had.
  const inserted = await client.query(
    `INSERT INTO llamadesk_turns (knowledge, id, conversation_id, role, text, outcome, sources, mode, created_at, channel, handoff_reason, ttft_ms, total_ms)
     SELECT $1, x.id, x.conversation_id, x.role, x.text, x.outcome, x.sources, x.mode, x.created_at, x.channel, x.handoff_reason, x.ttft_ms, x.total_ms
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::timestamptz[],
       $10::text[], $11::text[], $12::float8[], $13::float8[]) WITH ORDINALITY
       AS x(id, conversation_id, role, text, outcome, sources, mode, created_at, channel, handoff_reason, ttft_ms, total_ms, n)
     ORDER BY x.n
     ON CONFLICT (knowledge, id) DO NOTHING`,
    [
      knowledge,
      turns.map((t) => t.id),
      turns.map((t) => t.conversationId),
      turns.map((t) => t.role),
      turns.map((t) => t.text),
      turns.map((t) => t.outcome ?? null),
      turns.map((t) => (t.sources === undefined ? null : JSON.stringify(t.sources))),
      turns.map((t) => t.mode ?? null),
      turns.map((t) => t.createdAt),
      batch.flatMap((c) => c.turns.map(() => c.channel ?? null)),
      turns.map((t) => t.handoffReason ?? null),
      turns.map((t) => t.timeToFirstTokenMs ?? null),
      turns.map((t) => t.totalMs ?? null),
    ],
  );
  const votes = batch.flatMap((c) => c.votes);
  const voted = await client.query(
    `INSERT INTO llamadesk_feedback (knowledge, turn_id, user_id, vote, comment, created_at)
     SELECT $1, x.turn_id, x.user_id, x.vote, x.comment, x.created_at FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS x(turn_id, user_id, vote, comment, created_at)
     ON CONFLICT (knowledge, turn_id, user_id) DO NOTHING`,
    [knowledge, votes.map((v) => v.turnId), votes.map((v) => v.userId), votes.map((v) => v.vote), votes.map((v) => v.comment ?? null), votes.map((v) => v.createdAt)],
  );
  return { conversations: conversations.rows.filter((r) => r.inserted).length, turns: inserted.rowCount ?? 0, votes: voted.rowCount ?? 0 };
}

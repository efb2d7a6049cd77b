import Database from "better-sqlite3";
import type { Conversation, Turn, TurnSource, Vote } from "./ConversationStore.js";
import { SqliteConversationStore } from "./SqliteConversationStore.js";

/** A vote as the store keeps it: who, on which answer, when. */
export interface StoredVote {
  turnId: string;
  userId: string;
  vote: Vote;
  comment?: string;
  /** ISO 8601. */
  createdAt: string;
}

/** A conversation with everything kept with it. */
export interface ConversationRecord extends Conversation {
  /** Oldest first. */
  turns: Turn[];
  votes: StoredVote[];
}

/** A record that a platform event was seen, until `expiresAt` (ms since the epoch). */
export interface SeenEventRecord {
  key: string;
  expiresAt: number;
}

/**
 * Everything a SQLite conversation store holds, read without writing to it, for copying elsewhere
 * (`llamadesk migrate-to-postgres`): the ConversationStore interface reads one conversation at a time
 * and only vote counts. Close it when done.
 */
export interface SqliteConversationsReader {
  /** Conversations in the file. */
  readonly count: number;
  /** Every conversation, oldest first, with its turns and votes. */
  conversations(): Generator<ConversationRecord>;
  /** Seen-event records still lasting at `now` (ms since the epoch). */
  seenEvents(now: number): SeenEventRecord[];
  close(): void;
}

interface TurnRow {
  id: string;
  role: Turn["role"];
  text: string;
  outcome: Turn["outcome"] | null;
  sources: string | null;
  mode: string | null;
  created_at: string;
  handoff_reason: Turn["handoffReason"] | null;
  ttft_ms: number | null;
  total_ms: number | null;
}

/**
 * Opens the store file at `path` for reading. It is first opened as a store, which checks that it is one
 * (STORE_FAILED, STORE_FORMAT_UNSUPPORTED otherwise) and brings an older file of ours to the current schema.
 */
export async function readSqliteConversations(path: string): Promise<SqliteConversationsReader> {
  await (await SqliteConversationStore.open({ path })).dispose();
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const turns = db.prepare<[string], TurnRow>("SELECT id, role, text, outcome, sources, mode, created_at, handoff_reason, ttft_ms, total_ms FROM turns WHERE conversation_id = ? ORDER BY seq");
  const votes = db.prepare<[string], { turn_id: string; user_id: string; vote: Vote; comment: string | null; created_at: string }>(
    "SELECT f.turn_id, f.user_id, f.vote, f.comment, f.created_at FROM feedback f JOIN turns t ON t.id = f.turn_id WHERE t.conversation_id = ? ORDER BY t.seq, f.created_at, f.user_id",
  );
  return {
    count: db.prepare("SELECT count(*) FROM conversations").pluck().get() as number,
    *conversations() {
      const rows = db
        .prepare<[], { id: string; channel: string | null; user: string | null; status: Conversation["status"]; created_at: string; updated_at: string }>(
          "SELECT id, channel, user, status, created_at, updated_at FROM conversations ORDER BY created_at, id",
        )
        .all(); // the conversations' own rows are small; their turns are read one conversation at a time
      for (const row of rows) {
        yield {
          id: row.id,
          ...(row.channel !== null ? { channel: row.channel } : {}),
          ...(row.user !== null ? { user: row.user } : {}),
          status: row.status,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
          turns: turns.all(row.id).map(toTurn(row.id)),
          votes: votes.all(row.id).map((v) => ({ turnId: v.turn_id, userId: v.user_id, vote: v.vote, ...(v.comment !== null ? { comment: v.comment } : {}), createdAt: v.created_at })),
        };
      }
    },
    seenEvents: (now) => db.prepare<[number], SeenEventRecord>("SELECT key, expires_at AS expiresAt FROM seen_events WHERE expires_at > ? ORDER BY key").all(now),
    close: () => db.close(),
  };
}

function toTurn(conversationId: string): (row: TurnRow) => Turn {
  return (row) => ({
    id: row.id,
    conversationId,
    role: row.role,
    text: row.text,
    createdAt: row.created_at,
    ...(row.outcome !== null ? { outcome: row.outcome } : {}),
    ...(row.sources !== null ? { sources: JSON.parse(row.sources) as TurnSource[] } : {}),
    ...(row.mode !== null ? { mode: row.mode } : {}),
    ...(row.handoff_reason !== null ? { handoffReason: row.handoff_reason } : {}),
    ...(row.ttft_ms !== null ? { timeToFirstTokenMs: row.ttft_ms } : {}),
    ...(row.total_ms !== null ? { totalMs: row.total_ms } : {}),
  });
}

import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { LlamadeskError } from "../errors.js";
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
} from "./ConversationStore.js";
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
} from "./ConversationActivity.js";
import { copyRecordedTimes } from "./countActivity.js";
import { SqliteActivityQueries } from "./SqliteActivityQueries.js";

export interface SqliteConversationStoreOptions {
  /** The database file, created if missing (its directory must exist); ":memory:" for a private in-memory database. */
  path: string;
  /** Clock for `createdAt` and `updatedAt`. Defaults to the system clock. */
  now?: () => Date;
}

/** Kept in the file's `user_version`. Raise it with a step in `MIGRATIONS` when the schema changes. */
const SCHEMA_VERSION = 4;

const SCHEMA_V1 = `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  channel TEXT,
  user TEXT,
  status TEXT NOT NULL CHECK (status IN ('open', 'handed-off', 'resolved')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE turns (
  seq INTEGER PRIMARY KEY, -- append order: history sorts on it, not on timestamps that can tie
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  text TEXT NOT NULL,
  outcome TEXT CHECK (outcome IN ('answered', 'abstained', 'handoff')),
  sources TEXT, -- JSON array of TurnSource
  mode TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX turns_by_conversation ON turns (conversation_id, seq);
CREATE TABLE feedback (
  turn_id TEXT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
  comment TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (turn_id, user_id)
) WITHOUT ROWID;
`;

/** Platform events channels have seen (see `markEventSeen`): a redelivery after a restart is not answered twice. */
const SEEN_EVENTS = `
CREATE TABLE seen_events (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL -- ms since the epoch; the record lasts while the clock is before it
) WITHOUT ROWID;
CREATE INDEX seen_events_by_expiry ON seen_events (expires_at);
`;

/** Who is answering in which conversation (see `claim`): asks in one conversation run one at a time across processes. */
const CLAIMS = `
CREATE TABLE claims (
  key TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL -- ms since the epoch; the claim holds while the clock is before it
) WITHOUT ROWID;
`;


/**
 * What insights count (see `activity`): each reply's channel, handoff reason and timings; whether a conversation
 * was ever answered or handed off (kept as it happens, so counting conversations reads no turns); the sources of
 * replies one row each (JSON arrays are too slow to unpack over a million turns). Older rows are filled in: a
 * handoff without sources is a request for a human (repeated abstentions keep the closest entries).
 */
const INSIGHTS = `
ALTER TABLE conversations ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN handed_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN channel TEXT;
ALTER TABLE turns ADD COLUMN handoff_reason TEXT CHECK (handoff_reason IN ('user-request', 'repeated-abstentions'));
ALTER TABLE turns ADD COLUMN ttft_ms REAL;
ALTER TABLE turns ADD COLUMN total_ms REAL;
UPDATE turns SET channel = (SELECT channel FROM conversations c WHERE c.id = turns.conversation_id);
UPDATE turns SET handoff_reason = CASE WHEN sources IS NULL THEN 'user-request' ELSE 'repeated-abstentions' END WHERE outcome = 'handoff';
UPDATE conversations SET
  answered = EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = conversations.id AND t.outcome = 'answered'),
  handed_off = EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = conversations.id AND t.outcome = 'handoff');
CREATE TABLE turn_sources (
  turn_seq INTEGER NOT NULL REFERENCES turns(seq) ON DELETE CASCADE,
  source_id TEXT NOT NULL,
  created_at TEXT NOT NULL, -- the turn's
  channel TEXT,             -- the turn's
  answered INTEGER NOT NULL, -- 1: the reply answered with it; 0: shown as a close entry when it did not
  PRIMARY KEY (turn_seq, source_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO turn_sources (turn_seq, source_id, created_at, channel, answered)
  SELECT t.seq, json_extract(j.value, '$.id'), t.created_at, t.channel, t.outcome = 'answered' FROM turns t, json_each(t.sources) j WHERE t.role = 'assistant';
CREATE INDEX turn_sources_by_time ON turn_sources (created_at, channel, source_id, answered);
CREATE INDEX turns_replies_by_time ON turns (created_at, channel, outcome, mode, handoff_reason, ttft_ms, total_ms) WHERE role = 'assistant';
CREATE INDEX conversations_by_time ON conversations (created_at);
`;

/** `MIGRATIONS[v - 1]` takes a file of version v to v + 1, so files of every earlier version keep opening. */
const MIGRATIONS = [SEEN_EVENTS, CLAIMS, INSIGHTS];

const SCHEMA = SCHEMA_V1 + MIGRATIONS.join("");

const TURN_COLUMNS =
  "id, conversation_id AS conversationId, role, text, created_at AS createdAt, outcome, sources, mode, handoff_reason AS handoffReason, ttft_ms AS ttftMs, total_ms AS totalMs";
const CONVERSATION_COLUMNS = "id, channel, user, status, created_at AS createdAt, updated_at AS updatedAt";

interface TurnRow {
  id: string;
  conversationId: string;
  role: TurnRole;
  text: string;
  createdAt: string;
  outcome: TurnOutcome | null;
  sources: string | null;
  mode: string | null;
  handoffReason: TurnHandoffReason | null;
  ttftMs: number | null;
  totalMs: number | null;
}

interface ConversationRow {
  id: string;
  channel: string | null;
  user: string | null;
  status: ConversationStatus;
  createdAt: string;
  updatedAt: string;
}

/**
 * The default ConversationStore: one SQLite file (better-sqlite3), normally beside the
 * knowledge index. WAL mode, so readers do not wait for the writer; foreign keys cascade
 * a deleted conversation to its turns and their feedback.
 */
export class SqliteConversationStore implements ConversationStore {
  private readonly statements: Statements;
  private readonly appendTx: Database.Transaction<(turn: Turn, channel: string | null, user: string | null) => void>;
  private readonly feedbackTx: Database.Transaction<(input: FeedbackInput, at: string) => FeedbackCounts>;
  private readonly seenTx: Database.Transaction<(key: string, now: number, ttlMs: number) => boolean>;
  private readonly claimTx: Database.Transaction<(key: string, holder: string, now: number, ttlMs: number) => boolean>;
  private activityQueries: SqliteActivityQueries | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    const s = (this.statements = prepareStatements(db));
    this.appendTx = db.transaction((turn: Turn, channel: string | null, user: string | null) => {
      const answered = turn.outcome === "answered" ? 1 : 0;
      s.upsertConversation.run({ id: turn.conversationId, channel, user, at: turn.createdAt, answered, handedOff: turn.outcome === "handoff" ? 1 : 0 });
      const row = s.insertTurn.get({
        ...turn,
        outcome: turn.outcome ?? null,
        sources: turn.sources === undefined ? null : JSON.stringify(turn.sources),
        mode: turn.mode ?? null,
        handoffReason: turn.handoffReason ?? null,
        ttftMs: turn.timeToFirstTokenMs ?? null,
        totalMs: turn.totalMs ?? null,
      })!;
      if (turn.role !== "assistant") return;
      for (const id of new Set((turn.sources ?? []).map((source) => source.id))) {
        s.insertTurnSource.run({ seq: row.seq, id, at: turn.createdAt, channel: row.channel, answered });
      }
    });
    this.feedbackTx = db.transaction((input: FeedbackInput, at: string): FeedbackCounts => {
      const role = s.turnRole.get(input.turnId);
      if (role === undefined) throw turnNotFound(input.turnId);
      if (role !== "assistant") throw notAnAnswer(input.turnId);
      s.upsertVote.run({ turnId: input.turnId, userId: input.userId, vote: input.vote, comment: input.comment ?? null, at });
      return s.counts.get(input.turnId)!;
    });
    this.seenTx = db.transaction((key: string, now: number, ttlMs: number) => {
      s.pruneSeenEvents.run(now);
      return s.insertSeenEvent.run(key, now + ttlMs).changes > 0;
    });
    this.claimTx = db.transaction((key: string, holder: string, now: number, ttlMs: number) => s.upsertClaim.run({ key, holder, now, until: now + ttlMs }).changes > 0);
  }

  /** Opens (or creates) the store file and checks its schema version. */
  static async open(options: SqliteConversationStoreOptions): Promise<SqliteConversationStore> {
    const path = options?.path;
    if (typeof path !== "string" || path === "") {
      throw new LlamadeskError("INVALID_OPTION", `SqliteConversationStore: path must be a file path or ":memory:" (got ${JSON.stringify(path)}).`);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma("journal_mode = WAL");
      // Safe with WAL: a power cut may lose the last commits, never corrupt the file.
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      createOrCheckSchema(db, path);
      return new SqliteConversationStore(db, options.now ?? (() => new Date()));
    } catch (error) {
      db?.close();
      throw error instanceof LlamadeskError ? error : openFailed(path, error);
    }
  }

  async appendTurn(input: NewTurn): Promise<Turn> {
    this.assertOpen();
    checkNewTurn(input);
    const turn: Turn = { id: randomUUID(), conversationId: input.conversationId, role: input.role, text: input.text, createdAt: this.now().toISOString() };
    if (input.outcome !== undefined) turn.outcome = input.outcome;
    if (input.sources !== undefined) turn.sources = structuredClone(input.sources);
    if (input.mode !== undefined) turn.mode = input.mode;
    copyRecordedTimes(input, turn);
    this.appendTx(turn, input.channel ?? null, input.user ?? null);
    return turn;
  }

  async history(conversationId: string, options: HistoryOptions = {}): Promise<Turn[]> {
    this.assertOpen();
    checkHistoryLimit(options.limit);
    return this.statements.history.all(conversationId, options.limit ?? -1).map(toTurn);
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    this.assertOpen();
    const row = this.statements.conversation.get(id);
    return row && toConversation(row);
  }

  async setStatus(id: string, status: ConversationStatus): Promise<Conversation> {
    this.assertOpen();
    checkStatus(status);
    const row = this.statements.setStatus.get(status, this.now().toISOString(), id);
    if (!row) throw conversationNotFound(id);
    return toConversation(row);
  }

  async recordFeedback(input: FeedbackInput): Promise<FeedbackCounts> {
    this.assertOpen();
    checkFeedback(input);
    return { ...this.feedbackTx(input, this.now().toISOString()) };
  }

  async feedback(turnId: string): Promise<FeedbackCounts> {
    this.assertOpen();
    return { ...this.statements.counts.get(turnId)! };
  }

  async deleteConversation(id: string): Promise<boolean> {
    this.assertOpen();
    // Foreign keys cascade to turns and feedback; `changes` counts only the conversation row.
    return this.statements.deleteConversation.run(id).changes > 0;
  }

  async markEventSeen(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    checkSeenEvent(key, ttlMs);
    // IMMEDIATE: the write lock first, so a process racing on the same file waits instead of failing with SQLITE_BUSY.
    return this.seenTx.immediate(key, this.now().getTime(), ttlMs);
  }

  async claim(key: string, holder: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    checkClaim(key, holder, ttlMs);
    return this.claimTx.immediate(key, holder, this.now().getTime(), ttlMs);
  }

  async releaseClaim(key: string, holder: string): Promise<void> {
    this.assertOpen();
    checkClaim(key, holder);
    this.statements.deleteClaim.run(key, holder);
  }

  async activity(query: ActivityQuery): Promise<ConversationActivity> {
    this.assertOpen();
    checkActivityQuery(query);
    return this.queries().activity(query);
  }

  async failedQuestions(query: FailedQuestionsQuery): Promise<FailedQuestion[]> {
    this.assertOpen();
    checkFailedQuestionsQuery(query);
    return this.queries().failedQuestions(query);
  }

  async sourceUse(query: SpanQuery): Promise<SourceUse[]> {
    this.assertOpen();
    checkSpan(query);
    return this.queries().sourceUse(query);
  }

  async dispose(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Prepared on first use: commands that only answer never pay for them. */
  private queries(): SqliteActivityQueries {
    return (this.activityQueries ??= new SqliteActivityQueries(this.db));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private assertOpen(): void {
    if (!this.db.open) throw storeClosed("SqliteConversationStore");
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  return {
    upsertConversation: db.prepare(
      `INSERT INTO conversations (id, channel, user, status, created_at, updated_at, answered, handed_off)
       VALUES (@id, @channel, @user, 'open', @at, @at, @answered, @handedOff)
       ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at,
         answered = max(answered, excluded.answered), handed_off = max(handed_off, excluded.handed_off)`,
    ),
    // The turn keeps its conversation's channel, so counting replies by channel reads no conversation rows.
    insertTurn: db.prepare<[Record<string, unknown>], { seq: number; channel: string | null }>(
      `INSERT INTO turns (id, conversation_id, role, text, outcome, sources, mode, created_at, channel, handoff_reason, ttft_ms, total_ms)
       VALUES (@id, @conversationId, @role, @text, @outcome, @sources, @mode, @createdAt,
         (SELECT channel FROM conversations WHERE id = @conversationId), @handoffReason, @ttftMs, @totalMs)
       RETURNING seq, channel`,
    ),
    insertTurnSource: db.prepare(
      "INSERT INTO turn_sources (turn_seq, source_id, created_at, channel, answered) VALUES (@seq, @id, @at, @channel, @answered)",
    ),
    // The last `limit` turns (-1: all), put back oldest first.
    history: db.prepare<[string, number], TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM (SELECT * FROM turns WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
    ),
    conversation: db.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`),
    setStatus: db.prepare<[string, string, string], ConversationRow>(
      `UPDATE conversations SET status = ?, updated_at = ? WHERE id = ? RETURNING ${CONVERSATION_COLUMNS}`,
    ),
    turnRole: db.prepare<[string], TurnRole>("SELECT role FROM turns WHERE id = ?").pluck(),
    upsertVote: db.prepare(
      `INSERT INTO feedback (turn_id, user_id, vote, comment, created_at) VALUES (@turnId, @userId, @vote, @comment, @at)
       ON CONFLICT (turn_id, user_id) DO UPDATE SET vote = excluded.vote, comment = excluded.comment, created_at = excluded.created_at`,
    ),
    counts: db.prepare<[string], FeedbackCounts>(
      "SELECT count(*) FILTER (WHERE vote = 'up') AS up, count(*) FILTER (WHERE vote = 'down') AS down FROM feedback WHERE turn_id = ?",
    ),
    deleteConversation: db.prepare<[string]>("DELETE FROM conversations WHERE id = ?"),
    pruneSeenEvents: db.prepare<[number]>("DELETE FROM seen_events WHERE expires_at <= ?"),
    insertSeenEvent: db.prepare<[string, number]>("INSERT INTO seen_events (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"),
    // Taken when free, expired, or already this holder's: `changes` is 0 when another holder's claim lasts.
    upsertClaim: db.prepare<[{ key: string; holder: string; now: number; until: number }]>(
      `INSERT INTO claims (key, holder, expires_at) VALUES (@key, @holder, @until)
       ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE claims.holder = excluded.holder OR claims.expires_at <= @now`,
    ),
    deleteClaim: db.prepare<[string, string]>("DELETE FROM claims WHERE key = ? AND holder = ?"),
  };
}

function createOrCheckSchema(db: Database.Database, path: string): void {
  // IMMEDIATE takes the write lock first, so two processes opening a new file cannot both create the schema.
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) {
      throw new LlamadeskError(
        "STORE_FORMAT_UNSUPPORTED",
        `The conversation store ${path} has schema version ${version}, written by a newer llamadesk (this one reads version ${SCHEMA_VERSION}). Upgrade llamadesk, or point the store at another file.`,
      );
    }
    if (version >= 1 && isConversationStore(db)) {
      for (const step of MIGRATIONS.slice(version - 1)) db.exec(step);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return;
    }
    const objects = db.prepare("SELECT count(*) FROM sqlite_master").pluck().get() as number;
    if (version !== 0 || objects > 0) {
      throw new LlamadeskError(
        "STORE_FAILED",
        `${path} is a SQLite database but not a llamadesk conversation store (schema version ${version}, ${objects} tables and indexes). Point the store at another file; llamadesk does not write into databases it did not create.`,
      );
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Version 1's tables are there: an older file of ours to migrate, not someone else's database with a user_version. */
function isConversationStore(db: Database.Database): boolean {
  const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('conversations', 'turns', 'feedback')").pluck().get() as number;
  return tables === 3;
}

function openFailed(path: string, error: unknown): LlamadeskError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const advice =
    code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT"
      ? "The file is not a SQLite database or is damaged: move it aside (llamadesk then starts an empty store) or restore it from a backup."
      : code === "SQLITE_BUSY" || code === "SQLITE_LOCKED"
        ? "Another process holds a lock on it: stop that process or wait, then try again."
        : /directory does not exist/.test(message)
          ? "Create its directory first, or point the store at another path."
          : "Check that the path names a file (not a directory) that this user may read and write.";
  return new LlamadeskError("STORE_FAILED", `Cannot open the conversation store ${path}: ${message}. ${advice}`, { cause: error });
}

function toTurn(row: TurnRow): Turn {
  const turn: Turn = { id: row.id, conversationId: row.conversationId, role: row.role, text: row.text, createdAt: row.createdAt };
  if (row.outcome !== null) turn.outcome = row.outcome;
  if (row.sources !== null) turn.sources = JSON.parse(row.sources) as TurnSource[];
  if (row.mode !== null) turn.mode = row.mode;
  if (row.handoffReason !== null) turn.handoffReason = row.handoffReason;
  if (row.ttftMs !== null) turn.timeToFirstTokenMs = row.ttftMs;
  if (row.totalMs !== null) turn.totalMs = row.totalMs;
  return turn;
}

function toConversation(row: ConversationRow): Conversation {
  const conversation: Conversation = { id: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt, status: row.status };
  if (row.channel !== null) conversation.channel = row.channel;
  if (row.user !== null) conversation.user = row.user;
  return conversation;
}

import { LlamadeskError } from "../errors.js";
import type Database from "better-sqlite3";
import { storeClosed } from "../store/ConversationStore.js";
import { openSqliteFile } from "../store/openSqliteFile.js";
import {
  candidateIdOf,
  candidateNotFound,
  cannotReviewMerged,
  checkEdits,
  checkListStatus,
  checkNewCandidate,
  threadAlreadyQueued,
  type Candidate,
  type CandidateEdits,
  type CandidateSource,
  type CandidateStatus,
  type ListCandidatesOptions,
  type NewCandidate,
  type ReviewQueue,
} from "./ReviewQueue.js";

export interface SqliteReviewQueueOptions {
  /** The database file, created if missing (its directory must exist); ":memory:" for a private in-memory database. */
  path: string;
  /** Clock for `createdAt`, `reviewedAt` and provenance times. Defaults to the system clock. */
  now?: () => Date;
}

/** Kept in the file's `user_version`; a different application id marks it as ours. */
const SCHEMA_VERSION = 1;
/** "LDRQ": tells a review queue from a conversation store or someone else's database. */
const APPLICATION_ID = 0x4c445251;

const SCHEMA = `
CREATE TABLE candidates (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  thread_id TEXT NOT NULL UNIQUE,
  thread_url TEXT,
  platform TEXT NOT NULL,
  thread TEXT NOT NULL, -- JSON ChatThread
  question TEXT NOT NULL,
  answer TEXT NOT NULL,
  answer_message_ids TEXT NOT NULL, -- JSON array
  signals TEXT NOT NULL, -- JSON array of ResolutionSignal
  extracted_by TEXT NOT NULL CHECK (extracted_by IN ('rules', 'model')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'merged')),
  edited_question TEXT,
  edited_answer TEXT,
  merged_into TEXT, -- JSON MergeTarget
  created_at TEXT NOT NULL,
  reviewed_at TEXT
);
CREATE INDEX candidates_by_status ON candidates (status, seq);
CREATE TABLE provenance (
  seq INTEGER PRIMARY KEY,
  candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
  thread_id TEXT NOT NULL,
  platform TEXT NOT NULL,
  url TEXT,
  similarity REAL,
  added_at TEXT NOT NULL,
  UNIQUE (candidate_id, thread_id)
);
CREATE INDEX provenance_by_thread ON provenance (thread_id);
`;

interface CandidateRow {
  id: string;
  thread_id: string;
  thread_url: string | null;
  platform: string;
  thread: string;
  question: string;
  answer: string;
  answer_message_ids: string;
  signals: string;
  extracted_by: "rules" | "model";
  status: CandidateStatus;
  edited_question: string | null;
  edited_answer: string | null;
  merged_into: string | null;
  created_at: string;
  reviewed_at: string | null;
}

interface ProvenanceRow {
  thread_id: string;
  platform: string;
  url: string | null;
  similarity: number | null;
  added_at: string;
}

/**
 * The default ReviewQueue: one SQLite file (better-sqlite3), `review.sqlite` beside the index
 * directory unless configured. The whole thread is kept as JSON with each candidate.
 */
export class SqliteReviewQueue implements ReviewQueue {
  private readonly s: ReturnType<typeof prepare>;

  private constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.s = prepare(db);
  }

  /** Opens (or creates) the queue file and checks that it is one. */
  static async open(options: SqliteReviewQueueOptions): Promise<SqliteReviewQueue> {
    const db = openSqliteFile({
      path: options?.path,
      what: "review queue",
      applicationId: APPLICATION_ID,
      schemaVersion: SCHEMA_VERSION,
      schema: SCHEMA,
      elsewhere: '--queue, or "mining.queue" in the config file',
    });
    return new SqliteReviewQueue(db, options.now ?? (() => new Date()));
  }

  async add(input: NewCandidate): Promise<Candidate> {
    this.assertOpen();
    checkNewCandidate(input);
    const { thread } = input;
    const id = candidateIdOf(thread.id);
    const at = this.now().toISOString();
    this.db.transaction(() => {
      const holder = this.holderOf(thread.id);
      if (holder) throw threadAlreadyQueued(thread.id, holder);
      this.s.insert.run({
        id,
        threadId: thread.id,
        threadUrl: thread.url ?? null,
        platform: thread.platform,
        thread: JSON.stringify(thread),
        question: input.question,
        answer: input.answer,
        answerMessageIds: JSON.stringify(input.answerMessageIds),
        signals: JSON.stringify(input.signals),
        extractedBy: input.extractedBy,
        status: input.mergedInto ? "merged" : "pending",
        mergedInto: input.mergedInto ? JSON.stringify(input.mergedInto) : null,
        at,
      });
      this.s.insertProvenance.run({ candidateId: id, threadId: thread.id, platform: thread.platform, url: thread.url ?? null, similarity: null, at });
    }).immediate();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Candidate | undefined> {
    this.assertOpen();
    const row = this.s.byId.get(id);
    return row && this.toCandidate(row);
  }

  async list(options: ListCandidatesOptions = {}): Promise<Candidate[]> {
    this.assertOpen();
    const status = options.status ?? "pending";
    checkListStatus(status);
    const rows = status === "all" ? this.s.all.all() : this.s.byStatus.all(status);
    return rows.map((row) => this.toCandidate(row));
  }

  async findByThread(threadId: string): Promise<Candidate | undefined> {
    this.assertOpen();
    return this.holderOf(threadId);
  }

  async isKnownThread(threadId: string): Promise<boolean> {
    this.assertOpen();
    return this.s.knownThread.get(threadId) !== undefined;
  }

  async edit(id: string, edits: CandidateEdits): Promise<Candidate> {
    checkEdits(edits, true);
    return this.review(id, edits, undefined);
  }

  async approve(id: string, edits: CandidateEdits = {}): Promise<Candidate> {
    checkEdits(edits, false);
    return this.review(id, edits, "approved");
  }

  async reject(id: string): Promise<Candidate> {
    return this.review(id, {}, "rejected");
  }

  async addProvenance(id: string, source: Omit<CandidateSource, "addedAt">): Promise<Candidate> {
    this.assertOpen();
    if (!this.s.byId.get(id)) throw candidateNotFound(id);
    this.s.insertProvenance.run({
      candidateId: id,
      threadId: source.threadId,
      platform: source.platform,
      url: source.url ?? null,
      similarity: source.similarity ?? null,
      at: this.now().toISOString(),
    });
    return (await this.get(id))!;
  }

  // TEMPORARY until the alternates tables land in this store (issue 15 §2); nothing calls these yet.
  async addAlternate(): Promise<never> {
    throw new LlamadeskError("STORE_FAILED", "Alternate questions are not stored here yet.");
  }
  async listAlternates(): Promise<never> {
    throw new LlamadeskError("STORE_FAILED", "Alternate questions are not stored here yet.");
  }
  async approveAlternate(): Promise<never> {
    throw new LlamadeskError("STORE_FAILED", "Alternate questions are not stored here yet.");
  }
  async rejectAlternate(): Promise<never> {
    throw new LlamadeskError("STORE_FAILED", "Alternate questions are not stored here yet.");
  }
  async alternatesByEntry(): Promise<never> {
    throw new LlamadeskError("STORE_FAILED", "Alternate questions are not stored here yet.");
  }

  async approved(): Promise<Candidate[]> {
    return this.list({ status: "approved" });
  }

  async dispose(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async review(id: string, edits: CandidateEdits, status: "approved" | "rejected" | undefined): Promise<Candidate> {
    this.assertOpen();
    const row = this.s.byId.get(id);
    if (!row) throw candidateNotFound(id);
    if (row.status === "merged") throw cannotReviewMerged(this.toCandidate(row));
    this.s.review.run({
      id,
      editedQuestion: edits.question?.trim() ?? null,
      editedAnswer: edits.answer?.trim() ?? null,
      status: status ?? null,
      at: status ? this.now().toISOString() : null,
    });
    return (await this.get(id))!;
  }

  private holderOf(threadId: string): Candidate | undefined {
    const row = this.s.byThread.get(threadId) ?? this.s.byProvenance.get(threadId);
    return row && this.toCandidate(row);
  }

  private toCandidate(row: CandidateRow): Candidate {
    const provenance = this.s.provenance.all(row.id).map(
      (p): CandidateSource => ({ threadId: p.thread_id, platform: p.platform, ...(p.url !== null ? { url: p.url } : {}), ...(p.similarity !== null ? { similarity: p.similarity } : {}), addedAt: p.added_at }),
    );
    return {
      id: row.id,
      threadId: row.thread_id,
      ...(row.thread_url !== null ? { threadUrl: row.thread_url } : {}),
      platform: row.platform,
      thread: JSON.parse(row.thread) as Candidate["thread"],
      question: row.question,
      answer: row.answer,
      answerMessageIds: JSON.parse(row.answer_message_ids) as string[],
      signals: JSON.parse(row.signals) as Candidate["signals"],
      extractedBy: row.extracted_by,
      status: row.status,
      ...(row.edited_question !== null ? { editedQuestion: row.edited_question } : {}),
      ...(row.edited_answer !== null ? { editedAnswer: row.edited_answer } : {}),
      ...(row.merged_into !== null ? { mergedInto: JSON.parse(row.merged_into) as NonNullable<Candidate["mergedInto"]> } : {}),
      provenance,
      createdAt: row.created_at,
      ...(row.reviewed_at !== null ? { reviewedAt: row.reviewed_at } : {}),
    };
  }

  private assertOpen(): void {
    if (!this.db.open) throw storeClosed("SqliteReviewQueue");
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO candidates (id, thread_id, thread_url, platform, thread, question, answer, answer_message_ids, signals, extracted_by, status, merged_into, created_at)
       VALUES (@id, @threadId, @threadUrl, @platform, @thread, @question, @answer, @answerMessageIds, @signals, @extractedBy, @status, @mergedInto, @at)`,
    ),
    insertProvenance: db.prepare(
      `INSERT INTO provenance (candidate_id, thread_id, platform, url, similarity, added_at) VALUES (@candidateId, @threadId, @platform, @url, @similarity, @at)
       ON CONFLICT (candidate_id, thread_id) DO NOTHING`,
    ),
    byId: db.prepare<[string], CandidateRow>("SELECT * FROM candidates WHERE id = ?"),
    byThread: db.prepare<[string], CandidateRow>("SELECT * FROM candidates WHERE thread_id = ?"),
    byProvenance: db.prepare<[string], CandidateRow>(
      "SELECT c.* FROM provenance p JOIN candidates c ON c.id = p.candidate_id WHERE p.thread_id = ? ORDER BY p.seq LIMIT 1",
    ),
    knownThread: db.prepare<[string], number>("SELECT 1 FROM provenance WHERE thread_id = ? LIMIT 1").pluck(),
    all: db.prepare<[], CandidateRow>("SELECT * FROM candidates ORDER BY seq"),
    byStatus: db.prepare<[string], CandidateRow>("SELECT * FROM candidates WHERE status = ? ORDER BY seq"),
    provenance: db.prepare<[string], ProvenanceRow>("SELECT thread_id, platform, url, similarity, added_at FROM provenance WHERE candidate_id = ? ORDER BY seq"),
    review: db.prepare(
      `UPDATE candidates SET edited_question = coalesce(@editedQuestion, edited_question), edited_answer = coalesce(@editedAnswer, edited_answer),
       status = coalesce(@status, status), reviewed_at = coalesce(@at, reviewed_at) WHERE id = @id`,
    ),
  };
}

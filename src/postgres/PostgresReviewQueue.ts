import { LlamadeskError } from "../errors.js";
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
  type MergeTarget,
  type NewCandidate,
  type ReviewQueue,
} from "../mining/ReviewQueue.js";
import { storeClosed } from "../store/ConversationStore.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";
import { sqlStateOf } from "./postgresErrors.js";

export interface PostgresReviewQueueOptions {
  /** The database, from `openPostgres`; the queue leaves it open when disposed. */
  postgres: Postgres;
  /** The knowledge base whose candidates these are. Defaults to "default". */
  knowledge?: string;
  /** Clock for `createdAt`, `reviewedAt` and provenance times. Defaults to the system clock. */
  now?: () => Date;
}

/** A candidate row with its provenance, oldest first, as JSON (times already ISO 8601). */
const SELECT_CANDIDATE = `
SELECT c.*, (
  SELECT coalesce(json_agg(json_build_object(
    'threadId', p.thread_id, 'platform', p.platform, 'url', p.url, 'similarity', p.similarity,
    'addedAt', to_char(p.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  ) ORDER BY p.seq), '[]')
  FROM llamadesk_review_provenance p WHERE p.knowledge = c.knowledge AND p.candidate_id = c.id
) AS provenance
FROM llamadesk_review_candidates c`;

interface CandidateRow {
  id: string;
  thread_id: string;
  thread_url: string | null;
  platform: string;
  thread: Candidate["thread"];
  question: string;
  answer: string;
  answer_message_ids: string[];
  signals: Candidate["signals"];
  extracted_by: "rules" | "model";
  status: CandidateStatus;
  edited_question: string | null;
  edited_answer: string | null;
  merged_into: MergeTarget | null;
  created_at: Date;
  reviewed_at: Date | null;
  provenance: { threadId: string; platform: string; url: string | null; similarity: number | null; addedAt: string }[];
}

/**
 * A ReviewQueue in PostgreSQL, for sync workers on several machines sharing one database. A thread is
 * mined once even when two workers add it at the same moment: the database's unique key on the thread
 * decides, and the loser gets the same INVALID_OPTION as a later `add`.
 */
export class PostgresReviewQueue implements ReviewQueue {
  private disposed = false;

  private constructor(
    private readonly db: Postgres,
    private readonly knowledge: string,
    private readonly now: () => Date,
  ) {}

  /** A queue for one knowledge base's candidates in a database `openPostgres` opened. */
  static async open(options: PostgresReviewQueueOptions): Promise<PostgresReviewQueue> {
    return new PostgresReviewQueue(options.postgres, knowledgeNameOf("PostgresReviewQueue", options.knowledge), options.now ?? (() => new Date()));
  }

  async add(input: NewCandidate): Promise<Candidate> {
    this.assertOpen();
    checkNewCandidate(input);
    const { thread } = input;
    const holder = await this.holderOf(thread.id);
    if (holder) throw threadAlreadyQueued(thread.id, holder);
    const id = candidateIdOf(thread.id);
    try {
      // The candidate and its own provenance in one statement.
      await this.db.query(
        `WITH candidate AS (
           INSERT INTO llamadesk_review_candidates
             (knowledge, id, thread_id, thread_url, platform, thread, question, answer, answer_message_ids, signals, extracted_by, status, merged_into, created_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13::jsonb, $14)
           RETURNING knowledge, id, thread_id, platform, thread_url, created_at
         )
         INSERT INTO llamadesk_review_provenance (knowledge, candidate_id, thread_id, platform, url, added_at)
         SELECT knowledge, id, thread_id, platform, thread_url, created_at FROM candidate`,
        [
          this.knowledge,
          id,
          thread.id,
          thread.url ?? null,
          thread.platform,
          JSON.stringify(thread),
          input.question,
          input.answer,
          JSON.stringify(input.answerMessageIds),
          JSON.stringify(input.signals),
          input.extractedBy,
          input.mergedInto ? "merged" : "pending",
          input.mergedInto ? JSON.stringify(input.mergedInto) : null,
          this.now().toISOString(),
        ],
      );
    } catch (error) {
      // Another worker added the thread since the look-up above.
      const winner = sqlStateOf(error) === "23505" ? await this.holderOf(thread.id) : undefined;
      if (winner) throw threadAlreadyQueued(thread.id, winner);
      throw error;
    }
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Candidate | undefined> {
    this.assertOpen();
    const { rows } = await this.db.query<CandidateRow>(`${SELECT_CANDIDATE} WHERE c.knowledge = $1 AND c.id = $2`, [this.knowledge, id]);
    return rows[0] && toCandidate(rows[0]);
  }

  async list(options: ListCandidatesOptions = {}): Promise<Candidate[]> {
    this.assertOpen();
    const status = options.status ?? "pending";
    checkListStatus(status);
    const { rows } = await this.db.query<CandidateRow>(`${SELECT_CANDIDATE} WHERE c.knowledge = $1 AND ($2 = 'all' OR c.status = $2) ORDER BY c.seq`, [this.knowledge, status]);
    return rows.map(toCandidate);
  }

  async findByThread(threadId: string): Promise<Candidate | undefined> {
    this.assertOpen();
    return this.holderOf(threadId);
  }

  async isKnownThread(threadId: string): Promise<boolean> {
    this.assertOpen();
    const { rows } = await this.db.query<{ known: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM llamadesk_review_provenance WHERE knowledge = $1 AND thread_id = $2) AS known",
      [this.knowledge, threadId],
    );
    return rows[0]!.known;
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
    // Inserts nothing for an unknown candidate, or for a thread it already has.
    await this.db.query(
      `INSERT INTO llamadesk_review_provenance (knowledge, candidate_id, thread_id, platform, url, similarity, added_at)
       SELECT knowledge, id, $3, $4, $5, $6, $7 FROM llamadesk_review_candidates WHERE knowledge = $1 AND id = $2
       ON CONFLICT (knowledge, candidate_id, thread_id) DO NOTHING`,
      [this.knowledge, id, source.threadId, source.platform, source.url ?? null, source.similarity ?? null, this.now().toISOString()],
    );
    const candidate = await this.get(id);
    if (!candidate) throw candidateNotFound(id);
    return candidate;
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

  /** Marks the queue closed; the database stays open for whoever opened it. */
  async dispose(): Promise<void> {
    this.disposed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async review(id: string, edits: CandidateEdits, status: "approved" | "rejected" | undefined): Promise<Candidate> {
    this.assertOpen();
    // A merged candidate stays merged (nothing changes that status), so the check can sit in the update.
    const { rowCount } = await this.db.query(
      `UPDATE llamadesk_review_candidates SET
         edited_question = coalesce($3, edited_question), edited_answer = coalesce($4, edited_answer),
         status = coalesce($5, status), reviewed_at = coalesce($6::timestamptz, reviewed_at)
       WHERE knowledge = $1 AND id = $2 AND status <> 'merged'`,
      [this.knowledge, id, edits.question?.trim() ?? null, edits.answer?.trim() ?? null, status ?? null, status ? this.now().toISOString() : null],
    );
    const candidate = await this.get(id);
    if (!candidate) throw candidateNotFound(id);
    if (rowCount === 0) throw cannotReviewMerged(candidate);
    return candidate;
  }

  /** The thread's own candidate, else the first whose provenance holds it. */
  private async holderOf(threadId: string): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(
      `${SELECT_CANDIDATE} WHERE c.knowledge = $1 AND c.id = coalesce(
         (SELECT id FROM llamadesk_review_candidates WHERE knowledge = $1 AND thread_id = $2),
         (SELECT candidate_id FROM llamadesk_review_provenance WHERE knowledge = $1 AND thread_id = $2 ORDER BY seq LIMIT 1)
       )`,
      [this.knowledge, threadId],
    );
    return rows[0] && toCandidate(rows[0]);
  }

  private assertOpen(): void {
    if (this.disposed) throw storeClosed("PostgresReviewQueue");
  }
}

function toCandidate(row: CandidateRow): Candidate {
  return {
    id: row.id,
    threadId: row.thread_id,
    ...(row.thread_url !== null ? { threadUrl: row.thread_url } : {}),
    platform: row.platform,
    thread: row.thread,
    question: row.question,
    answer: row.answer,
    answerMessageIds: row.answer_message_ids,
    signals: row.signals,
    extractedBy: row.extracted_by,
    status: row.status,
    ...(row.edited_question !== null ? { editedQuestion: row.edited_question } : {}),
    ...(row.edited_answer !== null ? { editedAnswer: row.edited_answer } : {}),
    ...(row.merged_into !== null ? { mergedInto: row.merged_into } : {}),
    provenance: row.provenance.map(
      (p): CandidateSource => ({
        threadId: p.threadId,
        platform: p.platform,
        ...(p.url !== null ? { url: p.url } : {}),
        ...(p.similarity !== null ? { similarity: p.similarity } : {}),
        addedAt: p.addedAt,
      }),
    ),
    createdAt: row.created_at.toISOString(),
    ...(row.reviewed_at !== null ? { reviewedAt: row.reviewed_at.toISOString() } : {}),
  };
}

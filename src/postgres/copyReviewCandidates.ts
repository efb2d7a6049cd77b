import type { Candidate } from "../mining/ReviewQueue.js";
import type { CopyCounts } from "./copyConversations.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface CopyReviewCandidatesOptions {
  postgres: Postgres;
  /** The knowledge base the queue belongs to. Defaults to "default". */
  knowledge?: string | undefined;
  /** Every candidate of the queue (`list({ status: "all" })`), oldest first: they keep that order. */
  candidates: readonly Candidate[];
  /** Candidates per transaction. Defaults to 100. */
  batchSize?: number;
  onProgress?: (done: number) => void;
}

/**
 * Writes review candidates into PostgreSQL as they are, whatever their status: ids, wording, edits,
 * merges, review times and provenance (with its times) kept. A candidate already there (same id, or
 * same thread) is left as it is, so running it again copies only what is new.
 */
export async function copyReviewCandidates(options: CopyReviewCandidatesOptions): Promise<CopyCounts> {
  const knowledge = knowledgeNameOf("copyReviewCandidates", options.knowledge);
  const batchSize = options.batchSize ?? 100;
  const { candidates } = options;
  let copied = 0;
  for (let start = 0; start < candidates.length; start += batchSize) {
    const batch = candidates.slice(start, start + batchSize);
    copied += await options.postgres.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO llamadesk_review_candidates
           (knowledge, id, thread_id, thread_url, platform, thread, question, answer, answer_message_ids, signals, extracted_by, status,
            edited_question, edited_answer, merged_into, created_at, reviewed_at)
         SELECT $1, x.id, x.thread_id, x.thread_url, x.platform, x.thread, x.question, x.answer, x.answer_message_ids, x.signals, x.extracted_by, x.status,
                x.edited_question, x.edited_answer, x.merged_into, x.created_at, x.reviewed_at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[], $11::text[], $12::text[],
                     $13::text[], $14::text[], $15::jsonb[], $16::timestamptz[], $17::timestamptz[]) WITH ORDINALITY
           AS x(id, thread_id, thread_url, platform, thread, question, answer, answer_message_ids, signals, extracted_by, status,
                edited_question, edited_answer, merged_into, created_at, reviewed_at, n)
         ORDER BY x.n
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [
          knowledge,
          batch.map((c) => c.id),
          batch.map((c) => c.threadId),
          batch.map((c) => c.threadUrl ?? null),
          batch.map((c) => c.platform),
          batch.map((c) => JSON.stringify(c.thread)),
          batch.map((c) => c.question),
          batch.map((c) => c.answer),
          batch.map((c) => JSON.stringify(c.answerMessageIds)),
          batch.map((c) => JSON.stringify(c.signals)),
          batch.map((c) => c.extractedBy),
          batch.map((c) => c.status),
          batch.map((c) => c.editedQuestion ?? null),
          batch.map((c) => c.editedAnswer ?? null),
          batch.map((c) => (c.mergedInto ? JSON.stringify(c.mergedInto) : null)),
          batch.map((c) => c.createdAt),
          batch.map((c) => c.reviewedAt ?? null),
        ],
      );
      // Provenance only for the candidates written now: one already there keeps its own.
      const written = new Set(rows.map((r) => r.id));
      const sources = batch.filter((c) => written.has(c.id)).flatMap((c) => c.provenance.map((p) => ({ candidate: c.id, ...p })));
      await client.query(
        `INSERT INTO llamadesk_review_provenance (knowledge, candidate_id, thread_id, platform, url, similarity, added_at)
         SELECT $1, x.candidate_id, x.thread_id, x.platform, x.url, x.similarity, x.added_at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::timestamptz[]) WITH ORDINALITY AS x(candidate_id, thread_id, platform, url, similarity, added_at, n)
         ORDER BY x.n
         ON CONFLICT DO NOTHING`,
        [
          knowledge,
          sources.map((s) => s.candidate),
          sources.map((s) => s.threadId),
          sources.map((s) => s.platform),
          sources.map((s) => s.url ?? null),
          sources.map((s) => s.similarity ?? null),
          sources.map((s) => s.addedAt),
        ],
      );
      return written.size;
    });
    options.onProgress?.(Math.min(start + batchSize, candidates.length));
  }
  return { total: candidates.length, copied };
}

import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { finalAnswer, finalQuestion, type Candidate, type ReviewQueue } from "../../src/mining/ReviewQueue.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import type { Connector, PullOptions, SourceDoc } from "../../src/types.js";

/** Ids of the FAQ docs made from approved candidates: `reviewed:<candidateId>`. */
export const REVIEWED_DOC_PREFIX = "reviewed:";
/** The tag every such doc carries. */
export const FROM_CHAT_TAG = "from-chat";

export interface ReviewedFaqConnectorOptions {
  /** The review queue: an open one (the caller keeps and disposes it), or the path of its SQLite file (opened for each pull). */
  queue: ReviewQueue | string;
}

/**
 * Approved review candidates as FAQ knowledge: one `faq` doc per approved candidate (title = question,
 * text = answer, the reviewer's edits winning; url = the thread's link, as provenance; tag `from-chat`).
 * A candidate rejected after approval is no longer yielded, so the next ingest or sync removes it.
 * A queue file that does not exist yet yields nothing.
 */
export class ReviewedFaqConnector implements Connector {
  readonly name = "reviewed-faq";
  readonly origin: string;

  constructor(private readonly options: ReviewedFaqConnectorOptions) {
    this.origin = typeof options.queue === "string" ? resolve(options.queue) : "review-queue";
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const approved = await this.readApproved();
    for (const candidate of approved) {
      options.signal?.throwIfAborted();
      yield candidateToFaqDoc(candidate);
    }
  }

  private async readApproved(): Promise<Candidate[]> {
    const { queue } = this.options;
    if (typeof queue !== "string") return queue.approved();
    if (!(await access(queue).then(() => true, () => false))) return [];
    const opened = await SqliteReviewQueue.open({ path: queue });
    try {
      return await opened.approved();
    } finally {
      await opened.dispose();
    }
  }
}

/** An approved candidate as an FAQ doc. */
export function candidateToFaqDoc(candidate: Candidate): SourceDoc {
  return makeSourceDoc({
    id: `${REVIEWED_DOC_PREFIX}${candidate.id}`,
    kind: "faq",
    title: finalQuestion(candidate),
    text: finalAnswer(candidate),
    ...(candidate.threadUrl ? { url: candidate.threadUrl } : {}),
    tags: [FROM_CHAT_TAG],
    ...(candidate.reviewedAt ? { updatedAt: candidate.reviewedAt } : {}),
  });
}

/** `{ "connector": "reviewed-faq", "queue": "knowledge/review.sqlite" }` in the config file's `sources`; the path is relative to the config file. */
export const definition: ConnectorDefinition<{ queue: string }> = {
  name: "reviewed-faq",
  options: z.object({ queue: z.string().min(1) }).strict(),
  create: (options, context) => new ReviewedFaqConnector({ queue: resolve(context.baseDir, options.queue) }),
};

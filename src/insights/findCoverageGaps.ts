import { createHash } from "node:crypto";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { citationOf } from "../pipeline/AnswerSource.js";
import type { FailedQuestion } from "../store/ConversationActivity.js";
import { clusterQuestions } from "./clusterQuestions.js";
import type { CoverageGap } from "./InsightsReport.js";

export interface FindCoverageGapsOptions {
  /** Failed questions, most conversations first (as `ConversationStore.failedQuestions` lists them). */
  questions: readonly FailedQuestion[];
  /**
   * The embedder the knowledge was built with, so the closest entry can be looked up by the same vectors.
   * Defaults to none: each wording is a gap of its own, without a closest entry.
   */
  embedder?: Embedder;
  /** For each gap's closest entry (with an embedder). Defaults to none (closestEntry null). */
  knowledge?: KnowledgeStore;
  /** See `clusterQuestions`. Defaults to DEFAULT_GAP_THRESHOLD. */
  threshold?: number;
  /** Examples kept per gap. Defaults to 5. */
  examples?: number;
}

/** Clusters failed questions by meaning into coverage gaps, biggest first, each with the entry nearest it. */
export async function findCoverageGaps(options: FindCoverageGapsOptions): Promise<CoverageGap[]> {
  const { questions, embedder, knowledge } = options;
  if (questions.length === 0) return [];
  const clusters = embedder
    ? clusterQuestions(await embedder.embed(questions.map((q) => q.text)), options.threshold === undefined ? {} : { threshold: options.threshold })
    : questions.map((_, i) => ({ members: [i], centroid: [] }));
  const gaps = clusters.map((cluster) => {
    const members = cluster.members.map((i) => questions[i]!); // input order: most conversations first
    const sum = (field: "conversations" | "count" | "abstained" | "handedOff" | "thumbsDown") => members.reduce((n, q) => n + q[field], 0);
    return {
      gap: {
        id: gapIdOf(members[0]!.text),
        size: sum("conversations"),
        count: sum("count"),
        examples: members.slice(0, options.examples ?? 5).map((q) => q.text),
        channels: [...new Set(members.flatMap((q) => q.channels))].sort(),
        abstained: sum("abstained"),
        handedOff: sum("handedOff"),
        thumbsDown: sum("thumbsDown"),
        lastAskedAt: members.map((q) => q.lastAskedAt).reduce((a, b) => (a > b ? a : b)),
        closestEntry: null,
      } as CoverageGap,
      centroid: cluster.centroid,
      first: cluster.members[0]!,
    };
  });
  gaps.sort((a, b) => b.gap.size - a.gap.size || b.gap.count - a.gap.count || a.first - b.first);
  if (knowledge && embedder) {
    for (const entry of gaps) entry.gap.closestEntry = await closestEntryTo(knowledge, entry.centroid);
  }
  return gaps.map((g) => g.gap);
}

async function closestEntryTo(knowledge: KnowledgeStore, centroid: readonly number[]): Promise<CoverageGap["closestEntry"]> {
  const [hit] = await knowledge.searchVectors(centroid, 1);
  if (!hit) return null;
  const [passage] = await knowledge.getPassages([hit.id]);
  if (!passage) return null;
  return { id: passage.docId, title: passage.title, source: citationOf(passage), similarity: hit.score };
}

/** Short and stable: the same topic keeps its id from one report to the next while its top question stays. */
export function gapIdOf(text: string): string {
  return `gap-${createHash("sha256").update(text.trim().toLowerCase()).digest("hex").slice(0, 10)}`;
}

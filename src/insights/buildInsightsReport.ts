import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { periodOf, type ActivityPeriod } from "../store/ConversationActivity.js";
import type { ConversationStore } from "../store/ConversationStore.js";
import type { HandoffTicketStore } from "../store/HandoffTicketStore.js";
import { contentPerformance } from "./contentPerformance.js";
import { findCoverageGaps } from "./findCoverageGaps.js";
import type { InsightsReport } from "./InsightsReport.js";
import { summarizeActivity } from "./summarizeActivity.js";

export interface InsightsOptions {
  /** Where the conversations are: any ConversationStore. */
  store: ConversationStore;
  /** Handoff tickets: a conversation that ended in one is not deflected. Defaults to none. */
  tickets?: HandoffTicketStore;
  /** Clusters the failed questions into gaps; without it each wording is a gap of its own. Defaults to none. */
  embedder?: Embedder;
  /** For each gap's closest entry and the entries never retrieved. Defaults to none. */
  knowledge?: KnowledgeStore;
  since: Date;
  /** Defaults to now. */
  until?: Date;
  /** Only this channel. Defaults to every channel. */
  channel?: string;
  /** How `byPeriod` groups time. Defaults to days for spans up to 31 days, else weeks. */
  period?: ActivityPeriod;
  /** Gaps to return. Defaults to 10. */
  gaps?: number;
  /** Failed questions (distinct wordings, most conversations first) clustered into gaps: each is embedded, so this bounds the time. Defaults to 500. */
  maxQuestions?: number;
  /** Similarity a question needs to a gap's centre to join it. Defaults to DEFAULT_GAP_THRESHOLD. */
  gapThreshold?: number;
}

/** The insights of one span: the numbers, the coverage gaps and content performance (see README, "Insights"). */
export async function buildInsightsReport(options: InsightsOptions): Promise<InsightsReport> {
  const { store, since } = options;
  const until = options.until ?? new Date();
  const unit = options.period ?? (until.getTime() - since.getTime() <= 31 * 86_400_000 ? "day" : "week");
  const span = { since: since.toISOString(), until: until.toISOString(), ...(options.channel !== undefined ? { channel: options.channel } : {}) };
  const escalated = options.tickets ? (await options.tickets.list()).filter((t) => t.createdAt >= span.since).map((t) => t.conversationId) : [];
  const activity = await store.activity({ ...span, period: unit, escalated: [...new Set(escalated)] });
  const summary = summarizeActivity(activity, periodsBetween(since, until, unit));
  const failed = await store.failedQuestions({ ...span, limit: options.maxQuestions ?? 500 });
  const limit = options.gaps ?? 10;
  const gaps = await findCoverageGaps({
    questions: failed,
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.knowledge ? { knowledge: options.knowledge } : {}),
    ...(options.gapThreshold !== undefined ? { threshold: options.gapThreshold } : {}),
  });
  const entries = await contentPerformance(await store.sourceUse(span), options.knowledge);
  return {
    period: { since: span.since, until: span.until, unit, channel: options.channel ?? null },
    ...summary,
    gaps: gaps.slice(0, limit),
    entries,
  };
}

/** Every period from `since` to `until`, so the quiet ones show as zeros. */
function periodsBetween(since: Date, until: Date, unit: ActivityPeriod): string[] {
  const periods: string[] = [];
  const step = unit === "day" ? 86_400_000 : 7 * 86_400_000;
  let at = Date.parse(`${periodOf(since.toISOString(), unit)}T00:00:00.000Z`);
  while (at < until.getTime() && periods.length < 10_000) {
    periods.push(new Date(at).toISOString().slice(0, 10));
    at += step;
  }
  return periods;
}

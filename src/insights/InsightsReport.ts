import type { ActivityPeriod } from "../store/ConversationActivity.js";

/** The numbers of one period, one channel, or the whole span. README "Insights" documents every field. */
export interface InsightNumbers {
  /** Questions the bot replied to (answered + abstained + handedOff). Messages sent while a human has the conversation are not counted. */
  asked: number;
  answered: number;
  /** Answered with an FAQ entry, verbatim (mode `extractive`). */
  answeredVerbatim: number;
  /** Answered by the chat model from the sources (mode `generative`). */
  answeredByModel: number;
  /** Answered with a list of related entries (mode `related`). */
  answeredRelated: number;
  abstained: number;
  handedOff: number;
  /** Handoffs because the customer asked for a human. */
  handedOffOnRequest: number;
  /** Handoffs after repeated abstentions. */
  handedOffAfterAbstaining: number;
  /** Conversations started in the span. */
  conversations: number;
  /** Of those, answered at least once, never handed off, with no handoff ticket. */
  deflected: number;
  /** deflected / conversations; null when there were none. */
  deflectionRate: number | null;
  /** Conversations marked resolved. */
  resolved: number;
  thumbsUp: number;
  thumbsDown: number;
  /** Time to first token of answers, median and 90th percentile, in ms (two significant digits); null without answers. */
  ttftMsP50: number | null;
  ttftMsP90: number | null;
  /** Whole reply time (answers and abstentions), in ms; null without replies. */
  totalMsP50: number | null;
  totalMsP90: number | null;
}

export interface ReportPeriod {
  /** ISO 8601, inclusive. */
  since: string;
  /** ISO 8601, exclusive (the time the report was made). */
  until: string;
  /** How `byPeriod` is grouped: UTC days, or UTC weeks starting on Monday. */
  unit: ActivityPeriod;
  /** The one channel reported on; null for every channel. */
  channel: string | null;
}

/** A knowledge entry as a gap or a content row names it. */
export interface EntryRef {
  /** The FAQ entry (source doc) id; the chunk id when the knowledge is not at hand. */
  id: string;
  title: string;
  /** Where it comes from: "faq/billing.md:12" or a URL. */
  source: string;
}

/** A topic the bot does not cover: failed questions that mean the same, by embedding similarity. */
export interface CoverageGap {
  /** Stable while the topic's most-asked question stays the same (a hash of its wording). */
  id: string;
  /** Conversations the gap covers (summed over its questions). */
  size: number;
  /** Times its questions were asked and failed. */
  count: number;
  /** Up to five wordings, most asked first. */
  examples: string[];
  channels: string[];
  abstained: number;
  handedOff: number;
  thumbsDown: number;
  /** ISO 8601. */
  lastAskedAt: string;
  /** The knowledge entry nearest the topic, with its cosine similarity; null without knowledge. */
  closestEntry: (EntryRef & { similarity: number }) | null;
}

/** How one knowledge entry served in the span. */
export interface EntryPerformance extends EntryRef {
  /** Answers that gave it. */
  answered: number;
  /** Abstentions that showed it among the closest entries. */
  shownWhenUnanswered: number;
  thumbsUp: number;
  thumbsDown: number;
  /** thumbsDown / answered; null when never answered with. */
  downRate: number | null;
}

export interface ContentPerformance {
  /** Entries given with an answer, most answers first. */
  mostCited: EntryPerformance[];
  /** Entries whose answers drew a 👎, highest downRate first. */
  mostDownvoted: EntryPerformance[];
  /** Entries in the knowledge no reply gave or showed in the span; null without knowledge. */
  neverRetrieved: EntryRef[] | null;
}

export interface InsightsReport {
  period: ReportPeriod;
  totals: InsightNumbers;
  byPeriod: (InsightNumbers & { period: string })[];
  byChannel: (InsightNumbers & { channel: string | null })[];
  gaps: CoverageGap[];
  entries: ContentPerformance;
}

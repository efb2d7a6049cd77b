import type { ActivityKey, ConversationActivity, TimingGroup } from "../store/ConversationActivity.js";
import type { InsightNumbers } from "./InsightsReport.js";

export interface ActivitySummary {
  totals: InsightNumbers;
  byPeriod: (InsightNumbers & { period: string })[];
  byChannel: (InsightNumbers & { channel: string | null })[];
}

/**
 * Rolls the store's groups up into the whole span, each period (oldest first; `periods` adds the quiet ones,
 * so a chart shows the days nobody asked) and each channel (busiest first).
 */
export function summarizeActivity(activity: ConversationActivity, periods: readonly string[] = []): ActivitySummary {
  const totals = numbersOf(activity, () => true);
  const allPeriods = [...new Set([...periods, ...keysOf(activity).map((k) => k.period)])].sort();
  const channels = [...new Set(keysOf(activity).map((k) => k.channel))];
  const byChannel = channels
    .map((channel) => ({ channel, ...numbersOf(activity, (k) => k.channel === channel) }))
    .sort((a, b) => b.asked - a.asked || b.conversations - a.conversations || String(a.channel).localeCompare(String(b.channel)));
  return { totals, byPeriod: allPeriods.map((period) => ({ period, ...numbersOf(activity, (k) => k.period === period) })), byChannel };
}

function keysOf(activity: ConversationActivity): ActivityKey[] {
  return [...activity.replies, ...activity.votes, ...activity.conversations, ...activity.timings];
}

function numbersOf(activity: ConversationActivity, keep: (key: ActivityKey) => boolean): InsightNumbers {
  const replies = activity.replies.filter(keep);
  const count = (test: (r: (typeof replies)[number]) => boolean) => replies.filter(test).reduce((n, r) => n + r.count, 0);
  const conversations = activity.conversations.filter(keep);
  const sum = (field: "conversations" | "deflected" | "resolved") => conversations.reduce((n, c) => n + c[field], 0);
  const votes = activity.votes.filter(keep);
  const timings = activity.timings.filter(keep);
  const started = sum("conversations");
  const deflected = sum("deflected");
  return {
    asked: count(() => true),
    answered: count((r) => r.outcome === "answered"),
    answeredVerbatim: count((r) => r.outcome === "answered" && r.mode === "extractive"),
    answeredByModel: count((r) => r.outcome === "answered" && r.mode === "generative"),
    answeredRelated: count((r) => r.outcome === "answered" && r.mode === "related"),
    abstained: count((r) => r.outcome === "abstained"),
    handedOff: count((r) => r.outcome === "handoff"),
    handedOffOnRequest: count((r) => r.outcome === "handoff" && r.handoffReason === "user-request"),
    handedOffAfterAbstaining: count((r) => r.outcome === "handoff" && r.handoffReason === "repeated-abstentions"),
    conversations: started,
    deflected,
    deflectionRate: started === 0 ? null : deflected / started,
    resolved: sum("resolved"),
    thumbsUp: votes.filter((v) => v.vote === "up").reduce((n, v) => n + v.count, 0),
    thumbsDown: votes.filter((v) => v.vote === "down").reduce((n, v) => n + v.count, 0),
    ttftMsP50: percentile(timings, "timeToFirstToken", 0.5),
    ttftMsP90: percentile(timings, "timeToFirstToken", 0.9),
    totalMsP50: percentile(timings, "total", 0.5),
    totalMsP90: percentile(timings, "total", 0.9),
  };
}

/** The nearest-rank percentile of a histogram: the smallest bucket with at least `p` of the values at or below it. */
export function percentile(timings: readonly TimingGroup[], metric: TimingGroup["metric"], p: number): number | null {
  const buckets = new Map<number, number>();
  for (const t of timings) if (t.metric === metric) buckets.set(t.ms, (buckets.get(t.ms) ?? 0) + t.count);
  const total = [...buckets.values()].reduce((n, c) => n + c, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const ms of [...buckets.keys()].sort((a, b) => a - b)) {
    seen += buckets.get(ms)!;
    if (seen >= rank) return ms;
  }
  return null;
}

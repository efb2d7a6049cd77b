import {
  periodOf,
  questionKeyOf,
  spanBounds,
  timingBucketOf,
  type ActivityQuery,
  type ConversationActivity,
  type ConversationGroup,
  type FailedQuestion,
  type FailedQuestionsQuery,
  type SourceUse,
  type SpanQuery,
} from "./ConversationActivity.js";
import type { Conversation, NewTurn, Turn, Vote } from "./ConversationStore.js";

// What the SQL stores count with GROUP BY, counted in plain code over conversations held in memory
// (MemoryConversationStore). The contract suite holds both to the same answers.

/** A conversation with its turns (in order) and a way to read a turn's votes. */
export interface StoredConversation {
  conversation: Conversation;
  turns: readonly Turn[];
  votes(turnId: string): Vote[];
}

/** Copies the handoff reason and timings a caller gave onto the stored turn. */
export function copyRecordedTimes(input: NewTurn, turn: Turn): void {
  if (input.handoffReason !== undefined) turn.handoffReason = input.handoffReason;
  if (input.timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = input.timeToFirstTokenMs;
  if (input.totalMs !== undefined) turn.totalMs = input.totalMs;
}

export function countActivity(records: readonly StoredConversation[], query: ActivityQuery): ConversationActivity {
  const [since, until] = spanBounds(query);
  const within = (iso: string) => iso >= since && iso < until;
  const escalated = new Set(query.escalated ?? []);
  const replies = new Counter<{ period: string; channel: string | null; outcome: NonNullable<Turn["outcome"]>; mode: string | null; handoffReason: NonNullable<Turn["handoffReason"]> | null }>();
  const votes = new Counter<{ period: string; channel: string | null; vote: Vote }>();
  const timings = new Counter<{ period: string; channel: string | null; metric: "timeToFirstToken" | "total"; ms: number }>();
  const conversations = new Map<string, ConversationGroup>();
  for (const { conversation, turns, votes: votesOf } of records) {
    const channel = conversation.channel ?? null;
    for (const turn of turns) {
      if (turn.role !== "assistant" || turn.outcome === undefined || !within(turn.createdAt)) continue;
      const period = periodOf(turn.createdAt, query.period);
      replies.add({ period, channel, outcome: turn.outcome, mode: turn.mode ?? null, handoffReason: turn.handoffReason ?? null });
      for (const vote of votesOf(turn.id)) votes.add({ period, channel, vote });
      if (turn.timeToFirstTokenMs !== undefined) timings.add({ period, channel, metric: "timeToFirstToken", ms: timingBucketOf(turn.timeToFirstTokenMs) });
      if (turn.totalMs !== undefined) timings.add({ period, channel, metric: "total", ms: timingBucketOf(turn.totalMs) });
    }
    if (!within(conversation.createdAt)) continue;
    const period = periodOf(conversation.createdAt, query.period);
    const key = JSON.stringify([period, channel]);
    let group = conversations.get(key);
    if (!group) conversations.set(key, (group = { period, channel, conversations: 0, answered: 0, handedOff: 0, deflected: 0, resolved: 0 }));
    const answered = turns.some((t) => t.outcome === "answered");
    const handedOff = turns.some((t) => t.outcome === "handoff");
    group.conversations += 1;
    if (answered) group.answered += 1;
    if (handedOff) group.handedOff += 1;
    if (answered && !handedOff && !escalated.has(conversation.id)) group.deflected += 1;
    if (conversation.status === "resolved") group.resolved += 1;
  }
  return { replies: replies.rows(), votes: votes.rows(), conversations: [...conversations.values()], timings: timings.rows() };
}

export function findFailedQuestions(records: readonly StoredConversation[], query: FailedQuestionsQuery): FailedQuestion[] {
  const [since, until] = spanBounds(query);
  const groups = new Map<string, FailedQuestion & { ids: Set<string>; channelSet: Set<string> }>();
  for (const { conversation, turns, votes } of records) {
    let question: Turn | undefined;
    for (const turn of turns) {
      if (turn.role === "user") {
        question = turn;
        continue;
      }
      if (!question || turn.createdAt < since || turn.createdAt >= until) continue;
      const down = votes(turn.id).includes("down");
      const missed = turn.outcome === "abstained" || (turn.outcome === "handoff" && turn.handoffReason !== "user-request");
      if (!missed && !down) continue;
      const key = questionKeyOf(question.text);
      let group = groups.get(key);
      if (!group) {
        group = { text: question.text, count: 0, conversations: 0, channels: [], abstained: 0, handedOff: 0, thumbsDown: 0, lastAskedAt: question.createdAt, ids: new Set(), channelSet: new Set() };
        groups.set(key, group);
      }
      if (question.text < group.text) group.text = question.text;
      group.count += 1;
      group.ids.add(conversation.id);
      if (conversation.channel !== undefined) group.channelSet.add(conversation.channel);
      if (turn.outcome === "abstained") group.abstained += 1;
      if (turn.outcome === "handoff") group.handedOff += 1;
      if (down) group.thumbsDown += 1;
      if (question.createdAt > group.lastAskedAt) group.lastAskedAt = question.createdAt;
    }
  }
  return [...groups.values()]
    .map(({ ids, channelSet, ...group }) => ({ ...group, conversations: ids.size, channels: [...channelSet].sort() }))
    .sort((a, b) => b.conversations - a.conversations || b.count - a.count || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, query.limit);
}

export function countSourceUse(records: readonly StoredConversation[], query: SpanQuery): SourceUse[] {
  const [since, until] = spanBounds(query);
  const uses = new Map<string, SourceUse & { seenAt: string }>();
  for (const { turns, votes } of records) {
    for (const turn of turns) {
      if (turn.role !== "assistant" || turn.createdAt < since || turn.createdAt >= until) continue;
      const answered = turn.outcome === "answered";
      const turnVotes = answered ? votes(turn.id) : [];
      for (const id of new Set((turn.sources ?? []).map((s) => s.id))) {
        const source = turn.sources!.find((s) => s.id === id)!;
        let use = uses.get(id);
        if (!use) uses.set(id, (use = { id, title: source.title, source: source.source, answered: 0, shownWhenUnanswered: 0, up: 0, down: 0, seenAt: turn.createdAt }));
        // The latest title and location, as the entry reads now.
        if (turn.createdAt >= use.seenAt) Object.assign(use, { title: source.title, source: source.source, seenAt: turn.createdAt });
        if (answered) use.answered += 1;
        else use.shownWhenUnanswered += 1;
        for (const vote of turnVotes) use[vote] += 1;
      }
    }
  }
  return [...uses.values()].map(({ seenAt: _, ...use }) => use).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Counts rows by their key fields. */
class Counter<K extends Record<string, unknown>> {
  private readonly counts = new Map<string, K & { count: number }>();

  add(key: K): void {
    const id = JSON.stringify(Object.values(key));
    const row = this.counts.get(id);
    if (row) row.count += 1;
    else this.counts.set(id, { ...key, count: 1 });
  }

  rows(): (K & { count: number })[] {
    return [...this.counts.values()];
  }
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import type { NewCandidate } from "../../src/mining/ReviewQueue.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { copyConversations } from "../../src/postgres/copyConversations.js";
import { copyHandoffTickets } from "../../src/postgres/copyHandoffTickets.js";
import { copyReviewCandidates } from "../../src/postgres/copyReviewCandidates.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import { PostgresHandoffTicketStore } from "../../src/postgres/PostgresHandoffTicketStore.js";
import { PostgresReviewQueue } from "../../src/postgres/PostgresReviewQueue.js";
import type { ConversationStore } from "../../src/store/ConversationStore.js";
import { readSqliteConversations } from "../../src/store/readSqliteConversations.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { SqliteHandoffTicketStore } from "../../src/store/SqliteHandoffTicketStore.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

const database = useTestDatabase();

/** A clock a second further at every call, so every time differs and order by time is checkable. */
function tickingClock(start: string): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

function thread(id: string): ChatThread {
  return {
    id,
    platform: "slack",
    channel: "#support",
    url: `https://example.slack.com/archives/C1/p${id}`,
    messages: [
      { id: "1", author: "maya", role: "customer", text: `Question of ${id}?` },
      { id: "2", author: "Dana", role: "agent", text: `Answer of ${id}.`, reactions: ["white_check_mark"] },
    ],
  };
}

function candidate(id: string, extra: Partial<NewCandidate> = {}): NewCandidate {
  return {
    thread: thread(id),
    question: `Question of ${id}?`,
    answer: `Answer of ${id}.`,
    answerMessageIds: ["2"],
    signals: [{ kind: "reaction", detail: "white_check_mark", messageId: "2" }],
    extractedBy: "rules",
    ...extra,
  };
}

/** What a conversation store tells about a conversation: the conversation, its turns and each answer's votes. */
async function conversationView(store: ConversationStore, id: string) {
  const turns = await store.history(id);
  return { conversation: await store.getConversation(id), turns, votes: await Promise.all(turns.map((t) => store.feedback(t.id))) };
}

describe("copying the SQLite stores into PostgreSQL", () => {
  let dir: string;
  const conversationIds = ["slack:C1:1.0", "web-abc", "cli-xyz"];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "llamadesk-copy-state-"));
    const store = await SqliteConversationStore.open({ path: join(dir, "conversations.sqlite"), now: tickingClock("2025-03-01T10:00:00.123Z") });
    for (const [i, id] of conversationIds.entries()) {
      await store.appendTurn({ conversationId: id, role: "user", text: `question ${i}`, channel: i === 0 ? "slack" : "web", user: `U${i}` });
      const answer = await store.appendTurn({
        conversationId: id,
        role: "assistant",
        text: `answer ${i}`,
        outcome: i === 2 ? "handoff" : "answered",
        mode: "extractive",
        sources: [{ id: "refund", title: "How do I get a refund?", source: "faq.md:1", score: 0.91 }],
      });
      await store.recordFeedback({ turnId: answer.id, userId: "U1", vote: "up" });
      if (i === 0) await store.recordFeedback({ turnId: answer.id, userId: "U2", vote: "down", comment: "not what I asked" });
      await store.appendTurn({ conversationId: id, role: "user", text: `follow-up ${i}` });
    }
    await store.setStatus("cli-xyz", "handed-off");
    await store.markEventSeen("slack:C1:1.0", 24 * 3600_000);
    await store.dispose();

    const queue = await SqliteReviewQueue.open({ path: join(dir, "review.sqlite"), now: tickingClock("2025-03-02T10:00:00.456Z") });
    const pending = await queue.add(candidate("100.1"));
    await queue.addProvenance(pending.id, { threadId: "100.9", platform: "slack", url: "https://example.slack.com/p1009", similarity: 0.93 });
    await queue.approve((await queue.add(candidate("200.1"))).id, { question: "Edited question?" });
    await queue.reject((await queue.add(candidate("300.1"))).id);
    await queue.add(candidate("400.1", { mergedInto: { kind: "faq", id: "refund", title: "How do I get a refund?", similarity: 0.97 }, extractedBy: "model" }));
    await queue.dispose();

    const tickets = await SqliteHandoffTicketStore.open({ path: join(dir, "tickets.sqlite"), now: tickingClock("2025-03-03T10:00:00.789Z") });
    await tickets.create({ conversationId: "web-abc", name: "Maya", email: "maya@example.com", message: "Please call me", webhook: "pending" });
    const sent = await tickets.create({ conversationId: "web-abc", name: "Maya", email: "maya@example.com", message: "Still waiting", webhook: "pending" });
    await tickets.setWebhookStatus(sent.id, "failed", "HTTP 500 from the webhook");
    await tickets.create({ conversationId: "cli-xyz", name: "Lee", email: "lee@example.com", message: "Refund please" });
    await tickets.dispose();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("conversations arrive as they were: ids, times, turns in order, sources, statuses, every vote; a second run copies nothing", async () => {
    // The stores' clock: seen events last from their time on.
    const soon = "2025-03-01T12:00:00.000Z";
    const knowledge = database.knowledge();
    const postgres = await database.postgres();
    const copy = async () => {
      const reader = await readSqliteConversations(join(dir, "conversations.sqlite"));
      try {
        return await copyConversations({ postgres, knowledge, conversations: reader.conversations(), seenEvents: reader.seenEvents(Date.parse(soon)), batchSize: 2 });
      } finally {
        reader.close();
      }
    };
    expect(await copy()).toEqual({
      conversations: { total: 3, copied: 3 },
      turns: { total: 9, copied: 9 },
      votes: { total: 4, copied: 4 },
      seenEvents: { total: 1, copied: 1 },
    });
    const source = await SqliteConversationStore.open({ path: join(dir, "conversations.sqlite") });
    const target = await PostgresConversationStore.open({ postgres, knowledge, now: () => new Date(soon) });
    const before = await Promise.all(conversationIds.map((id) => conversationView(source, id)));
    expect(before[2]!.conversation).toMatchObject({ status: "handed-off" });
    expect(await Promise.all(conversationIds.map((id) => conversationView(target, id)))).toEqual(before);
    // The vote's user and comment are kept, not only the counts: a vote again by the same user replaces it.
    const answer = before[0]!.turns[1]!;
    expect(await target.recordFeedback({ turnId: answer.id, userId: "U2", vote: "up" })).toEqual({ up: 2, down: 0 });
    // A platform's retry of an event seen before the move is still recognised.
    expect(await target.markEventSeen("slack:C1:1.0", 60_000)).toBe(false);

    expect(await copy()).toEqual({
      conversations: { total: 3, copied: 0 },
      turns: { total: 9, copied: 0 },
      votes: { total: 4, copied: 0 },
      seenEvents: { total: 1, copied: 0 },
    });
    expect((await conversationView(target, conversationIds[1]!)).turns).toEqual(before[1]!.turns);
    await source.dispose();
    await target.dispose();
  });

  it("turns added to a conversation after a first copy are copied by the next, and the conversation takes the newer status", async () => {
    const knowledge = database.knowledge();
    const postgres = await database.postgres();
    const path = join(dir, "later.sqlite");
    const store = await SqliteConversationStore.open({ path, now: tickingClock("2025-04-01T10:00:00.000Z") });
    await store.appendTurn({ conversationId: "c1", role: "user", text: "first" });
    const copy = async () => {
      const reader = await readSqliteConversations(path);
      try {
        return await copyConversations({ postgres, knowledge, conversations: reader.conversations() });
      } finally {
        reader.close();
      }
    };
    await copy();
    await store.appendTurn({ conversationId: "c1", role: "assistant", text: "second", outcome: "answered" });
    await store.setStatus("c1", "resolved");
    expect(await copy()).toMatchObject({ conversations: { total: 1, copied: 0 }, turns: { total: 2, copied: 1 } });
    const target = await PostgresConversationStore.open({ postgres, knowledge });
    expect(await conversationView(target, "c1")).toEqual(await conversationView(store, "c1"));
    await store.dispose();
    await target.dispose();
  });

  it("review candidates of every status arrive as they were, with edits, merges, review times and provenance; a second run copies nothing", async () => {
    const knowledge = database.knowledge();
    const postgres = await database.postgres();
    const source = await SqliteReviewQueue.open({ path: join(dir, "review.sqlite") });
    const candidates = await source.list({ status: "all" });
    expect(candidates.map((c) => c.status)).toEqual(["pending", "approved", "rejected", "merged"]);

    expect(await copyReviewCandidates({ postgres, knowledge, candidates, batchSize: 3 })).toEqual({ total: 4, copied: 4 });
    const target = await PostgresReviewQueue.open({ postgres, knowledge });
    expect(await target.list({ status: "all" })).toEqual(candidates);
    // Still one queue: a thread merged into a candidate stays known, so it is never proposed again.
    expect(await target.isKnownThread("100.9")).toBe(true);
    expect(await target.findByThread("100.9")).toEqual(candidates[0]);

    expect(await copyReviewCandidates({ postgres, knowledge, candidates })).toEqual({ total: 4, copied: 0 });
    expect(await target.list({ status: "all" })).toEqual(candidates);
    await source.dispose();
    await target.dispose();
  });

  it("handoff tickets arrive as they were, newest first, webhook status and error kept; a second run copies nothing", async () => {
    const knowledge = database.knowledge();
    const postgres = await database.postgres();
    const source = await SqliteHandoffTicketStore.open({ path: join(dir, "tickets.sqlite") });
    const tickets = await source.list();
    expect(tickets.map((t) => t.message)).toEqual(["Refund please", "Still waiting", "Please call me"]);

    expect(await copyHandoffTickets({ postgres, knowledge, tickets })).toEqual({ total: 3, copied: 3 });
    const target = await PostgresHandoffTicketStore.open({ postgres, knowledge });
    expect(await target.list()).toEqual(tickets);
    expect(await target.list({ conversationId: "web-abc" })).toEqual(await source.list({ conversationId: "web-abc" }));
    expect(await copyHandoffTickets({ postgres, knowledge, tickets })).toEqual({ total: 3, copied: 0 });
    expect(await target.list()).toEqual(tickets);
    await source.dispose();
    await target.dispose();
  });
});

import { describe, expect, it } from "vitest";
import { isLlamadeskError, type ErrorCode } from "../../src/errors.js";
import type { NewCandidate } from "../../src/mining/ReviewQueue.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import { PostgresHandoffTicketStore } from "../../src/postgres/PostgresHandoffTicketStore.js";
import { PostgresReviewQueue } from "../../src/postgres/PostgresReviewQueue.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

// What the contract suites cannot say: the Postgres stores share a database by knowledge-base name.
const database = useTestDatabase();

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isLlamadeskError(error, code), `expected a LlamadeskError ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

const candidate = (threadId: string): NewCandidate => ({
  thread: { id: threadId, platform: "slack", channel: "#support", messages: [{ id: "1", author: "maya", role: "customer", text: "How do I cap upload speed?" }] },
  question: "How do I cap upload speed?",
  answer: "Preferences > Network > Upload limit.",
  answerMessageIds: ["1"],
  signals: [],
  extractedBy: "rules",
});

describe("Postgres stores of several knowledge bases in one database", () => {
  it("keep each knowledge base's conversations, votes and seen events to itself, under the same ids", async () => {
    const postgres = await database.postgres();
    const [billing, shipping] = [database.knowledge(), database.knowledge()];
    const a = await PostgresConversationStore.open({ postgres, knowledge: billing });
    const b = await PostgresConversationStore.open({ postgres, knowledge: shipping });
    await a.appendTurn({ conversationId: "slack:C1:1.0", role: "user", text: "refund?", channel: "slack", user: "U1" });
    const reply = await a.appendTurn({ conversationId: "slack:C1:1.0", role: "assistant", text: "5 days.", outcome: "answered" });
    await a.recordFeedback({ turnId: reply.id, userId: "U1", vote: "up" });

    expect(await b.getConversation("slack:C1:1.0")).toBeUndefined();
    expect(await b.history("slack:C1:1.0")).toEqual([]);
    expect(await b.feedback(reply.id)).toEqual({ up: 0, down: 0 });
    await expectCode(b.recordFeedback({ turnId: reply.id, userId: "U2", vote: "down" }), "TURN_NOT_FOUND");
    await b.appendTurn({ conversationId: "slack:C1:1.0", role: "user", text: "where is my parcel?" });
    expect(await b.deleteConversation("slack:C1:1.0")).toBe(true);
    expect((await a.history("slack:C1:1.0")).map((t) => t.text)).toEqual(["refund?", "5 days."]);
    expect(await a.feedback(reply.id)).toEqual({ up: 1, down: 0 });

    expect(await a.markEventSeen("slack:C1:1.0", 60_000)).toBe(true);
    expect(await b.markEventSeen("slack:C1:1.0", 60_000)).toBe(true);
    expect(await a.markEventSeen("slack:C1:1.0", 60_000)).toBe(false);
  });

  it("keep each knowledge base's review queue and tickets to itself", async () => {
    const postgres = await database.postgres();
    const [billing, shipping] = [database.knowledge(), database.knowledge()];
    const qa = await PostgresReviewQueue.open({ postgres, knowledge: billing });
    const qb = await PostgresReviewQueue.open({ postgres, knowledge: shipping });
    const mined = await qa.add(candidate("t1"));
    // The same thread may be mined by another knowledge base's sync: candidate ids only need to be unique within one.
    expect((await qb.add(candidate("t1"))).id).toBe(mined.id);
    await qa.approve(mined.id);
    expect((await qb.get(mined.id))?.status).toBe("pending");
    expect(await qb.approved()).toEqual([]);

    const ta = await PostgresHandoffTicketStore.open({ postgres, knowledge: billing });
    const tb = await PostgresHandoffTicketStore.open({ postgres, knowledge: shipping });
    const ticket = await ta.create({ conversationId: "web-1", name: "Ada", email: "ada@example.com", message: "Help" });
    expect(await tb.get(ticket.id)).toBeUndefined();
    expect(await tb.list()).toEqual([]);
    await expectCode(tb.setWebhookStatus(ticket.id, "sent"), "INVALID_OPTION");
    expect(await ta.list()).toEqual([ticket]);
  });

  it("default to the knowledge base named \"default\" and check the name", async () => {
    const postgres = await database.postgres();
    const unnamed = await PostgresHandoffTicketStore.open({ postgres });
    const named = await PostgresHandoffTicketStore.open({ postgres, knowledge: "default" });
    const ticket = await unnamed.create({ conversationId: "web-1", name: "Ada", email: "ada@example.com", message: "Help" });
    expect(await named.get(ticket.id)).toEqual(ticket);
    for (const knowledge of ["", "  ", " billing"]) {
      expect((await expectCode(PostgresConversationStore.open({ postgres, knowledge }), "INVALID_OPTION")).message).toContain("knowledge");
    }
  });
});

describe("Postgres stores", () => {
  it("refuse text PostgreSQL cannot hold (a NUL character) with INVALID_OPTION, storing nothing", async () => {
    const store = await PostgresConversationStore.open({ postgres: await database.postgres(), knowledge: database.knowledge() });
    expect((await expectCode(store.appendTurn({ conversationId: "c1", role: "user", text: "a\u0000b" }), "INVALID_OPTION")).message).toMatch(/NUL/);
    await expectCode(store.appendTurn({ conversationId: "c1", role: "assistant", text: "ok", sources: [{ id: "x\u0000", title: "t", source: "s", score: 1 }] }), "INVALID_OPTION");
    expect(await store.getConversation("c1")).toBeUndefined();
  });

  it("fail with STORE_FAILED once their database is closed, naming it", async () => {
    const postgres = await (await database.database()).open();
    const store = await PostgresConversationStore.open({ postgres, knowledge: database.knowledge() });
    await postgres.close();
    const error = await expectCode(store.history("c1"), "STORE_FAILED");
    expect(error.message).toContain(postgres.where);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { readDatabaseStatus } from "../../src/postgres/databaseStatus.js";
import { migrate } from "../../src/postgres/migrate.js";
import { MIGRATIONS } from "../../src/postgres/migrations/index.js";
import { PostgresHandoffTicketStore } from "../../src/postgres/PostgresHandoffTicketStore.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { PostgresReviewQueue } from "../../src/postgres/PostgresReviewQueue.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres/testDatabase.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  cleanups.push(() => database.dispose());
  return database;
}

async function llamadeskTables(postgres: Postgres): Promise<string[]> {
  const { rows } = await postgres.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'llamadesk%' ORDER BY 1");
  return rows.map((r) => r.name);
}

const pendingFrom = (version: number) => MIGRATIONS.filter((s) => s.version > version).map(({ version, name }) => ({ version, name }));

describe("readDatabaseStatus", () => {
  it("reports a database llamadesk never touched as version 0 with every step pending, and opening it with migrate: false creates nothing", async () => {
    const postgres = await (await freshDatabase()).open({ migrate: false });
    expect(await readDatabaseStatus(postgres)).toEqual({
      database: postgres.where,
      schema: { version: 0, latest: MIGRATIONS.length, pending: pendingFrom(0), newer: false },
      knowledgeBases: [],
    });
    expect(await llamadeskTables(postgres)).toEqual([]);
  });

  it("reports a database behind this llamadesk without migrating it, counting what its tables hold", async () => {
    const postgres = await (await freshDatabase()).open({ migrate: false });
    await migrate(postgres, MIGRATIONS.slice(0, 1), () => undefined);
    // A conversation as the llamadesk of schema version 1 wrote it (today's store writes columns added since).
    await postgres.query("INSERT INTO llamadesk_conversations VALUES ('shop', 'c1', NULL, NULL, 'open', now(), now())");
    await postgres.query("INSERT INTO llamadesk_turns (knowledge, id, conversation_id, role, text, created_at) VALUES ('shop', 't1', 'c1', 'user', 'hello', now())");
    expect(await readDatabaseStatus(postgres)).toEqual({
      database: postgres.where,
      schema: { version: 1, latest: MIGRATIONS.length, pending: pendingFrom(1), newer: false },
      knowledgeBases: [{ name: "shop", docs: 0, chunks: 0, version: 0, conversations: 1, pendingReview: 0, tickets: 0 }],
    });
    expect(await llamadeskTables(postgres)).not.toContain("llamadesk_knowledge");
  });

  it("per knowledge base: embedder, docs, chunks, version and time of the last change, conversations, pending candidates, tickets", async () => {
    const postgres = await (await freshDatabase()).open();
    const knowledge = await PostgresKnowledgeStore.open({ postgres, knowledge: "shop", embedder: { id: "fake-3", dimensions: 3 }, create: true });
    const doc = (id: string, text: string) => makeSourceDoc({ id, kind: "faq", title: `${id}?`, text });
    const before = Date.now();
    await knowledge.apply({
      upserts: [
        { doc: doc("a", "alpha"), origin: "t:x", chunks: [{ id: "a", docId: "a", title: "a?", text: "alpha" }], vectors: [[1, 0, 0]] },
        { doc: doc("b", "beta"), origin: "t:x", chunks: [{ id: "b@1", docId: "b", title: "b?", text: "be" }, { id: "b@2", docId: "b", title: "b?", text: "ta" }], vectors: [[0, 1, 0], [0, 0, 1]] },
      ],
    });
    await knowledge.dispose();
    const queue = await PostgresReviewQueue.open({ postgres, knowledge: "shop" });
    const thread = (id: string) => ({ id, platform: "slack", messages: [{ id: "1", author: "a", role: "customer" as const, text: "q?" }] });
    const candidate = { question: "q?", answer: "a.", answerMessageIds: ["1"], signals: [], extractedBy: "rules" as const };
    await queue.add({ ...candidate, thread: thread("t1") });
    await queue.reject((await queue.add({ ...candidate, thread: thread("t2") })).id);
    const tickets = await PostgresHandoffTicketStore.open({ postgres, knowledge: "other" });
    await tickets.create({ conversationId: "c9", name: "Lee", email: "lee@example.com", message: "call me" });

    const status = await readDatabaseStatus(postgres);
    expect(status.schema).toEqual({ version: MIGRATIONS.length, latest: MIGRATIONS.length, pending: [], newer: false });
    expect(status.knowledgeBases).toEqual([
      { name: "other", docs: 0, chunks: 0, version: 0, conversations: 0, pendingReview: 0, tickets: 1 },
      { name: "shop", embedder: { id: "fake-3", dimensions: 3 }, docs: 2, chunks: 3, version: 1, updatedAt: expect.any(String), conversations: 0, pendingReview: 1, tickets: 0 },
    ]);
    expect(Date.parse(status.knowledgeBases[1]!.updatedAt!)).toBeGreaterThanOrEqual(before - 60_000);
  });

  it("reports a database a newer llamadesk migrated, refusing nothing", async () => {
    const database = await freshDatabase();
    const postgres = await database.open();
    await postgres.query("INSERT INTO llamadesk_migrations (version, name) VALUES ($1, 'from the future')", [MIGRATIONS.length + 1]);
    const unmigrated = await database.open({ migrate: false });
    expect((await readDatabaseStatus(unmigrated)).schema).toEqual({ version: MIGRATIONS.length + 1, latest: MIGRATIONS.length, pending: [], newer: true });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { NewCandidate } from "../../src/mining/ReviewQueue.js";
import { MIGRATIONS } from "../../src/postgres/migrations/index.js";
import { openPostgres } from "../../src/postgres/openPostgres.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import { PostgresReviewQueue } from "../../src/postgres/PostgresReviewQueue.js";
import { createTestDatabase, requireRealServer, type TestDatabase } from "../support/postgres/testDatabase.js";

// Replicas on several machines, played by separate pools: each its own connections, truly running at once.
// PGlite runs one statement at a time, so these would pass there without anything racing (see testDatabase.ts).
requireRealServer();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  cleanups.push(() => database.dispose());
  return database;
}

/** Two replicas: two pools on one database. */
async function twoReplicas(): Promise<[Postgres, Postgres]> {
  const database = await freshDatabase();
  return [await database.open(), await database.open()];
}

describe("PostgreSQL with several replicas writing at once", () => {
  it("migrates once when replicas start together: each step applied and logged once, every replica ready", async () => {
    const database = await freshDatabase();
    const lines: string[] = [];
    const replicas = await Promise.all(Array.from({ length: 4 }, () => database.open({ log: (line) => lines.push(line) })));
    expect(lines).toHaveLength(MIGRATIONS.length);
    const { rows } = await replicas[0]!.query("SELECT version FROM llamadesk_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    for (const postgres of replicas) expect((await postgres.query("SELECT count(*)::int AS n FROM llamadesk_conversations")).rows[0]).toEqual({ n: 0 });
  });

  it("loses no turn and no vote when two replicas append to one conversation and vote on its answers at once", async () => {
    const [one, two] = await twoReplicas();
    const stores = [await PostgresConversationStore.open({ postgres: one }), await PostgresConversationStore.open({ postgres: two })];
    const turns = 40;
    // Both replicas append to the same (new) conversation at the same time, each in its own order.
    const appended = await Promise.all(
      stores.map(async (store, r) => {
        const mine = [];
        for (let i = 0; i < turns; i++) mine.push(await store.appendTurn({ conversationId: "slack:C1:1.0", role: "assistant", text: `r${r}-${i}`, outcome: "answered" }));
        return mine;
      }),
    );
    const history = await stores[0]!.history("slack:C1:1.0");
    expect(history).toHaveLength(2 * turns);
    for (const r of [0, 1]) expect(history.filter((t) => t.text.startsWith(`r${r}-`)).map((t) => t.id)).toEqual(appended[r]!.map((t) => t.id));

    // 30 users vote on the first ten answers, half through each replica, at once; each user also changes
    // their mind on the first answer through the other replica. Every vote counts, one per user and turn.
    const answers = history.slice(0, 10);
    const users = Array.from({ length: 30 }, (_, u) => `U${u}`);
    await Promise.all(
      users.flatMap((userId, u) => [
        ...answers.map((turn) => stores[u % 2]!.recordFeedback({ turnId: turn.id, userId, vote: "up" })),
        stores[(u + 1) % 2]!.recordFeedback({ turnId: answers[0]!.id, userId, vote: "down" }),
      ]),
    );
    const first = await stores[1]!.feedback(answers[0]!.id);
    expect(first.up + first.down).toBe(users.length);
    for (const turn of answers.slice(1)) expect(await stores[1]!.feedback(turn.id)).toEqual({ up: users.length, down: 0 });
    expect((await stores[1]!.getConversation("slack:C1:1.0"))?.status).toBe("open");
  });

  it("answers a redelivered event once across replicas", async () => {
    const [one, two] = await twoReplicas();
    const stores = [await PostgresConversationStore.open({ postgres: one }), await PostgresConversationStore.open({ postgres: two })];
    const keys = Array.from({ length: 50 }, (_, i) => `slack:C1:${i}.0`);
    const results = await Promise.all(keys.flatMap((key) => [stores[0]!.markEventSeen(key, 60_000), stores[1]!.markEventSeen(key, 60_000), stores[1]!.markEventSeen(key, 60_000)]));
    for (let i = 0; i < keys.length; i++) expect(results.slice(3 * i, 3 * i + 3).filter(Boolean), keys[i]).toHaveLength(1);
  });

  it("mines a thread once when two sync workers add it at the same moment", async () => {
    const [one, two] = await twoReplicas();
    const queues = [await PostgresReviewQueue.open({ postgres: one }), await PostgresReviewQueue.open({ postgres: two })];
    const candidate = (threadId: string): NewCandidate => ({
      thread: { id: threadId, platform: "slack", messages: [{ id: "1", author: "maya", role: "customer", text: "How?" }] },
      question: `How? (${threadId})`,
      answer: "Like this.",
      answerMessageIds: ["1"],
      signals: [],
      extractedBy: "rules",
    });
    const threads = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const outcomes = await Promise.allSettled(threads.flatMap((id) => queues.map((q) => q.add(candidate(id)))));
    for (let i = 0; i < threads.length; i++) {
      const pair = outcomes.slice(2 * i, 2 * i + 2);
      expect(pair.filter((o) => o.status === "fulfilled"), threads[i]).toHaveLength(1);
      const lost = pair.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect(isLlamadeskError(lost.reason, "INVALID_OPTION") && (lost.reason as Error).message).toContain("already in the review queue");
    }
    expect(await queues[0]!.list()).toHaveLength(threads.length);
  });
});

describe("openPostgres on a real server", () => {
  // PGlite ignores the database a connection names, so only a real server can say this one is missing.
  it("names a database that does not exist, and says to create it", async () => {
    const database = await freshDatabase();
    const url = database.url.replace(/\/[^/]+$/, "/no_such_database");
    const error = await openPostgres(url, { log: () => undefined }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "DATABASE_UNREACHABLE")).toBe(true);
    expect((error as Error).message).toContain('no database "no_such_database"');
    expect((error as Error).message).toContain("createdb no_such_database");
  });
});

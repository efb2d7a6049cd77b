import { existsSync } from "node:fs";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { isLlamadeskError, type ErrorCode } from "../../src/errors.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import type { ConversationStore, NewTurn, TurnSource } from "../../src/store/ConversationStore.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";
import { scriptedWeek, week } from "../support/scriptedWeek.js";

interface Implementation {
  name: string;
  open(options: { now?: () => Date }): Promise<ConversationStore>;
}

const dirs: string[] = [];
const stores: ConversationStore[] = [];
const postgres = useTestDatabase();
afterEach(async () => {
  for (const store of stores.splice(0)) await store.dispose();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-store-"));
  dirs.push(dir);
  return dir;
}

async function tracked<T extends ConversationStore>(store: Promise<T>): Promise<T> {
  stores.push(await store);
  return store;
}

// One suite, every implementation: what a ConversationStore promises, it keeps.
const implementations: Implementation[] = [
  { name: "MemoryConversationStore", open: async (options) => new MemoryConversationStore(options) },
  { name: "SqliteConversationStore", open: async (options) => SqliteConversationStore.open({ path: join(await tempDir(), "conversations.db"), ...options }) },
  // One database for the file; each test a knowledge base of its own in it.
  { name: "PostgresConversationStore", open: async (options) => PostgresConversationStore.open({ postgres: await postgres.postgres(), knowledge: postgres.knowledge(), ...options }) },
];

/** A clock that ticks one second per reading, from a fixed start. */
function tickingClock(start = "2024-05-01T09:00:00.000Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isLlamadeskError(error, code), `expected a LlamadeskError ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

const sources: TurnSource[] = [
  { id: "faq-refunds", title: "How do refunds work?", source: "faq/billing.md:12", score: 0.83 },
  { id: "faq-invoices", title: "Where are my invoices?", source: "https://example.com/help/invoices", score: 0.41 },
];
const ask = (conversationId: string, text: string): NewTurn => ({ conversationId, role: "user", text });
const answer = (conversationId: string, text: string): NewTurn => ({ conversationId, role: "assistant", text, outcome: "answered", sources, mode: "extractive" });

describe.each(implementations)("ConversationStore contract: $name", (impl) => {
  const openStore = (options: { now?: () => Date } = {}) => tracked(impl.open(options));

  it("appends turns with ids and times, and gives history oldest first, the last `limit` of them", async () => {
    const store = await openStore({ now: tickingClock() });
    const stored = [];
    for (let i = 0; i < 5; i++) stored.push(await store.appendTurn(i % 2 ? answer("c1", `a${i}`) : ask("c1", `q${i}`)));
    expect(new Set(stored.map((t) => t.id)).size).toBe(5);
    expect(stored[0]).toEqual({ id: stored[0]!.id, conversationId: "c1", role: "user", text: "q0", createdAt: "2024-05-01T09:00:01.000Z" });
    expect(stored[1]).toMatchObject({ role: "assistant", outcome: "answered", sources, mode: "extractive" });

    expect(await store.history("c1")).toEqual(stored);
    expect((await store.history("c1", { limit: 2 })).map((t) => t.text)).toEqual(["a3", "q4"]);
    expect(await store.history("c1", { limit: 50 })).toEqual(stored);
  });

  it("keeps the order turns were appended in, even when their times tie", async () => {
    const store = await openStore({ now: () => new Date("2024-05-01T09:00:00.000Z") });
    for (const text of ["first", "second", "third"]) await store.appendTurn(ask("c1", text));
    expect((await store.history("c1")).map((t) => t.text)).toEqual(["first", "second", "third"]);
  });

  it("starts a conversation on its first turn and keeps who started it", async () => {
    const store = await openStore({ now: tickingClock() });
    expect(await store.getConversation("c1")).toBeUndefined();
    await store.appendTurn({ ...ask("c1", "hi"), channel: "slack", user: "U1" });
    await store.appendTurn({ ...answer("c1", "hello"), channel: "web", user: "U2" });
    expect(await store.getConversation("c1")).toEqual({
      id: "c1",
      channel: "slack",
      user: "U1",
      status: "open",
      createdAt: "2024-05-01T09:00:01.000Z",
      updatedAt: "2024-05-01T09:00:02.000Z",
    });
  });

  it("keeps conversations apart", async () => {
    const store = await openStore();
    await store.appendTurn(ask("a", "a1"));
    await store.appendTurn(ask("b", "b1"));
    await store.appendTurn(ask("a", "a2"));
    expect((await store.history("a")).map((t) => t.text)).toEqual(["a1", "a2"]);
    expect((await store.history("b")).map((t) => t.text)).toEqual(["b1"]);
    await store.setStatus("a", "handed-off");
    expect((await store.getConversation("b"))!.status).toBe("open");
  });

  it("changes status in any direction and stamps updatedAt", async () => {
    const store = await openStore({ now: tickingClock() });
    await store.appendTurn(ask("c1", "I want a human"));
    const handedOff = await store.setStatus("c1", "handed-off");
    expect(handedOff).toMatchObject({ id: "c1", status: "handed-off", updatedAt: "2024-05-01T09:00:02.000Z" });
    expect(await store.getConversation("c1")).toEqual(handedOff);
    // The store records; a handed-off conversation still takes turns (the bot decides to stay quiet).
    await store.appendTurn(ask("c1", "hello?"));
    expect((await store.setStatus("c1", "resolved")).status).toBe("resolved");
    expect((await store.setStatus("c1", "open")).status).toBe("open");
  });

  it("counts one vote per user and turn; a later vote replaces the earlier one", async () => {
    const store = await openStore();
    await store.appendTurn(ask("c1", "refund?"));
    const reply = await store.appendTurn(answer("c1", "Refunds take 5 days."));
    const other = await store.appendTurn(answer("c1", "Anything else?"));

    expect(await store.feedback(reply.id)).toEqual({ up: 0, down: 0 });
    expect(await store.recordFeedback({ turnId: reply.id, userId: "U1", vote: "up" })).toEqual({ up: 1, down: 0 });
    expect(await store.recordFeedback({ turnId: reply.id, userId: "U1", vote: "up" })).toEqual({ up: 1, down: 0 });
    await store.recordFeedback({ turnId: reply.id, userId: "U2", vote: "up" });
    expect(await store.recordFeedback({ turnId: reply.id, userId: "U1", vote: "down", comment: "too slow" })).toEqual({ up: 1, down: 1 });
    await store.recordFeedback({ turnId: reply.id, userId: "U3", vote: "down" });
    expect(await store.feedback(reply.id)).toEqual({ up: 1, down: 2 });
    expect(await store.feedback(other.id)).toEqual({ up: 0, down: 0 });
  });

  it("takes feedback only on answers", async () => {
    const store = await openStore();
    const question = await store.appendTurn(ask("c1", "refund?"));
    await expectCode(store.recordFeedback({ turnId: question.id, userId: "U1", vote: "up" }), "INVALID_OPTION");
    expect(await store.feedback(question.id)).toEqual({ up: 0, down: 0 });
  });

  it("reads nothing for unknown ids and refuses to write to them", async () => {
    const store = await openStore();
    expect(await store.history("nope")).toEqual([]);
    expect(await store.getConversation("nope")).toBeUndefined();
    expect(await store.feedback("nope")).toEqual({ up: 0, down: 0 });
    expect(await store.deleteConversation("nope")).toBe(false);
    await expectCode(store.setStatus("nope", "resolved"), "CONVERSATION_NOT_FOUND");
    await expectCode(store.recordFeedback({ turnId: "nope", userId: "U1", vote: "up" }), "TURN_NOT_FOUND");
    expect(await store.getConversation("nope")).toBeUndefined();
  });

  it("deletes a conversation with its turns and their feedback, and nothing else", async () => {
    const store = await openStore();
    await store.appendTurn(ask("gone", "q"));
    const reply = await store.appendTurn(answer("gone", "a"));
    await store.recordFeedback({ turnId: reply.id, userId: "U1", vote: "up" });
    const kept = await store.appendTurn(answer("kept", "a"));
    await store.recordFeedback({ turnId: kept.id, userId: "U1", vote: "down" });

    expect(await store.deleteConversation("gone")).toBe(true);
    expect(await store.deleteConversation("gone")).toBe(false);
    expect(await store.getConversation("gone")).toBeUndefined();
    expect(await store.history("gone")).toEqual([]);
    expect(await store.feedback(reply.id)).toEqual({ up: 0, down: 0 });
    await expectCode(store.recordFeedback({ turnId: reply.id, userId: "U1", vote: "up" }), "TURN_NOT_FOUND");
    expect(await store.history("kept")).toEqual([kept]);
    expect(await store.feedback(kept.id)).toEqual({ up: 0, down: 1 });

    // The id is free again: a new turn starts a new, empty conversation.
    await store.appendTurn(ask("gone", "again"));
    expect((await store.history("gone")).map((t) => t.text)).toEqual(["again"]);
  });

  it("keeps every turn when conversations append concurrently", async () => {
    const store = await openStore();
    const conversations = Array.from({ length: 8 }, (_, c) => `c${c}`);
    await Promise.all(
      conversations.map(async (id) => {
        for (let i = 0; i < 25; i++) await store.appendTurn(ask(id, `${id}-${i}`));
      }),
    );
    for (const id of conversations) {
      expect((await store.history(id)).map((t) => t.text)).toEqual(Array.from({ length: 25 }, (_, i) => `${id}-${i}`));
    }
  });

  it("returns copies: changing a returned turn does not change the stored one", async () => {
    const store = await openStore();
    const turn = await store.appendTurn(answer("c1", "a"));
    turn.sources![0]!.title = "changed";
    const [read] = await store.history("c1");
    read!.text = "changed";
    expect(await store.history("c1")).toEqual([{ ...turn, text: "a", sources }]);
  });

  it("rejects malformed input with the field at fault", async () => {
    const store = await openStore();
    const turn = await store.appendTurn(answer("c1", "a"));
    await expectCode(store.appendTurn({ conversationId: "", role: "user", text: "x" }), "INVALID_OPTION");
    await expectCode(store.appendTurn({ conversationId: "c1", role: "bot" as "user", text: "x" }), "INVALID_OPTION");
    await expectCode(store.appendTurn({ ...answer("c1", "x"), outcome: "maybe" as "answered" }), "INVALID_OPTION");
    expect((await expectCode(store.history("c1", { limit: 0 }), "INVALID_OPTION")).message).toContain("limit");
    await expectCode(store.history("c1", { limit: 1.5 }), "INVALID_OPTION");
    await expectCode(store.setStatus("c1", "closed" as "resolved"), "INVALID_OPTION");
    await expectCode(store.recordFeedback({ turnId: turn.id, userId: "U1", vote: "meh" as "up" }), "INVALID_OPTION");
    await expectCode(store.recordFeedback({ turnId: turn.id, userId: "", vote: "up" }), "INVALID_OPTION");
    expect(await store.history("c1")).toEqual([turn]);
  });

  it("refuses calls once disposed, and disposes twice without complaint", async () => {
    const store = await impl.open({});
    await store.appendTurn(ask("c1", "q"));
    await store.dispose();
    await store.dispose();
    await expectCode(store.history("c1"), "STORE_FAILED");
    await expectCode(store.appendTurn(ask("c1", "q")), "STORE_FAILED");
  });

  it("marks an event seen once until its time is up; a redelivery does not extend it", async () => {
    let t = Date.parse("2024-05-01T09:00:00.000Z");
    const store = await openStore({ now: () => new Date(t) });
    expect(await store.markEventSeen("slack:C1:1714554000.000100", 60_000)).toBe(true);
    expect(await store.markEventSeen("slack:C1:1714554000.000100", 60_000)).toBe(false);
    expect(await store.markEventSeen("slack:C1:1714554000.000200", 60_000)).toBe(true);
    t += 59_999;
    expect(await store.markEventSeen("slack:C1:1714554000.000100", 60_000)).toBe(false);
    t += 1; // 60 s after the first sighting, however often it was redelivered since
    expect(await store.markEventSeen("slack:C1:1714554000.000100", 60_000)).toBe(true);
    expect(await store.markEventSeen("slack:C1:1714554000.000100", 60_000)).toBe(false);
    expect(await store.markEventSeen("slack:C1:1714554000.000200", 1)).toBe(true); // its first record ran out too
  });

  it("claims a key for one holder at a time: the holder extends it, others get it once it is released or its time is up", async () => {
    let t = Date.parse("2024-05-01T09:00:00.000Z");
    const store = await openStore({ now: () => new Date(t) });
    expect(await store.claim("answer:c1", "replica-a", 30_000)).toBe(true);
    expect(await store.claim("answer:c1", "replica-b", 30_000)).toBe(false);
    expect(await store.claim("answer:c2", "replica-b", 30_000)).toBe(true); // another key is free
    t += 20_000;
    expect(await store.claim("answer:c1", "replica-a", 30_000)).toBe(true); // extended to 50 s
    t += 29_999;
    expect(await store.claim("answer:c1", "replica-b", 30_000)).toBe(false);
    t += 1; // a holder that stopped extending it (died) loses it when its time is up
    expect(await store.claim("answer:c1", "replica-b", 30_000)).toBe(true);
    // Releasing someone else's claim leaves it; releasing one's own frees the key at once.
    await store.releaseClaim("answer:c1", "replica-a");
    expect(await store.claim("answer:c1", "replica-a", 30_000)).toBe(false);
    await store.releaseClaim("answer:c1", "replica-b");
    expect(await store.claim("answer:c1", "replica-a", 30_000)).toBe(true);
    await store.releaseClaim("answer:none", "replica-a"); // nothing to release: nothing happens
    expect((await expectCode(store.claim("", "a", 1), "INVALID_OPTION")).message).toContain("key");
    expect((await expectCode(store.claim("k", "", 1), "INVALID_OPTION")).message).toContain("holder");
    for (const ttl of [0, -5, 1.5]) expect((await expectCode(store.claim("k", "a", ttl), "INVALID_OPTION")).message).toContain("ttlMs");
    expect(await store.getConversation("c1")).toBeUndefined(); // claims are not conversations
  });

  it("gives a free key to exactly one of the holders racing for it", async () => {
    const store = await openStore();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.claim("answer:c1", `replica-${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("marks an event seen for exactly one of calls racing on its key", async () => {
    const store = await openStore();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.markEventSeen("discord:message:1234", 3_600_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("keeps seen events apart from conversations, and checks their arguments", async () => {
    const store = await openStore();
    await store.appendTurn(ask("slack:C1:1.0", "q"));
    expect(await store.markEventSeen("slack:C1:1.0", 60_000)).toBe(true);
    expect(await store.deleteConversation("slack:C1:1.0")).toBe(true);
    expect(await store.markEventSeen("slack:C1:1.0", 60_000)).toBe(false);
    expect(await store.history("slack:C1:1.0")).toEqual([]);
    expect((await expectCode(store.markEventSeen("", 60_000), "INVALID_OPTION")).message).toContain("key");
    for (const ttl of [0, -5, 1.5, Number.NaN]) expect((await expectCode(store.markEventSeen("k", ttl), "INVALID_OPTION")).message).toContain("ttlMs");
    expect(await store.markEventSeen("k", 60_000)).toBe(true); // the refused calls recorded nothing
    await store.dispose();
    await expectCode(store.markEventSeen("k2", 60_000), "STORE_FAILED");
  });
});

/** The tables version 1 of the SQLite store wrote, as it wrote them. */
const SCHEMA_V1 = `
  CREATE TABLE conversations (id TEXT PRIMARY KEY, channel TEXT, user TEXT, status TEXT NOT NULL CHECK (status IN ('open', 'handed-off', 'resolved')), created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE turns (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), text TEXT NOT NULL, outcome TEXT CHECK (outcome IN ('answered', 'abstained', 'handoff')), sources TEXT, mode TEXT, created_at TEXT NOT NULL);
  CREATE INDEX turns_by_conversation ON turns (conversation_id, seq);
  CREATE TABLE feedback (turn_id TEXT NOT NULL REFERENCES turns(id) ON DELETE CASCADE, user_id TEXT NOT NULL, vote TEXT NOT NULL CHECK (vote IN ('up', 'down')), comment TEXT, created_at TEXT NOT NULL, PRIMARY KEY (turn_id, user_id)) WITHOUT ROWID;
`;

describe("SqliteConversationStore", () => {
  /** Writes the SQLite header's user_version (4 bytes, big-endian, at offset 60) of a closed database file. */
  async function setUserVersion(file: string, version: number): Promise<void> {
    const handle = await open(file, "r+");
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(version);
    await handle.write(bytes, 0, 4, 60);
    await handle.close();
  }

  async function storeFile(): Promise<{ path: string; store: SqliteConversationStore }> {
    const path = join(await tempDir(), "conversations.db");
    return { path, store: await SqliteConversationStore.open({ path }) };
  }

  it("keeps everything across dispose and reopening the file", async () => {
    const { path, store } = await storeFile();
    await store.appendTurn({ ...ask("c1", "refund?"), channel: "discord", user: "U1" });
    const reply = await store.appendTurn(answer("c1", "Refunds take 5 days."));
    await store.recordFeedback({ turnId: reply.id, userId: "U1", vote: "up" });
    await store.recordFeedback({ turnId: reply.id, userId: "U2", vote: "down" });
    const conversation = await store.setStatus("c1", "handed-off");
    const history = await store.history("c1");
    await store.dispose();

    const reopened = await tracked(SqliteConversationStore.open({ path }));
    expect(await reopened.getConversation("c1")).toEqual(conversation);
    expect(await reopened.history("c1")).toEqual(history);
    expect(await reopened.feedback(reply.id)).toEqual({ up: 1, down: 1 });
  });

  it("writes ahead (WAL), so two stores on one file see each other's writes", async () => {
    const { path, store } = await storeFile();
    stores.push(store);
    expect(existsSync(`${path}-wal`)).toBe(true);
    const other = await tracked(SqliteConversationStore.open({ path }));
    const turn = await store.appendTurn(ask("c1", "q"));
    expect(await other.history("c1")).toEqual([turn]);
  });

  it("works in memory with :memory:", async () => {
    const store = await tracked(SqliteConversationStore.open({ path: ":memory:" }));
    await store.appendTurn(ask("c1", "q"));
    expect(await store.history("c1")).toHaveLength(1);
  });

  it("refuses a file that is not a SQLite database, names it, and leaves it untouched", async () => {
    const path = join(await tempDir(), "notes.txt");
    const content = "These are my notes, not a database. ".repeat(40);
    await writeFile(path, content);
    const error = await SqliteConversationStore.open({ path }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "STORE_FAILED")).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/move it aside/);
    expect(await readFile(path, "utf8")).toBe(content);
  });

  it("refuses a store written by a newer llamadesk", async () => {
    const { path, store } = await storeFile();
    await store.dispose();
    await setUserVersion(path, 99);
    const error = await SqliteConversationStore.open({ path }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "STORE_FORMAT_UNSUPPORTED")).toBe(true);
    expect((error as Error).message).toContain("schema version 99");
  });

  it("refuses a SQLite database it did not create", async () => {
    const { path, store } = await storeFile();
    await store.dispose();
    await setUserVersion(path, 0);
    await expectCode(SqliteConversationStore.open({ path }), "STORE_FAILED");
  });

  it("says to create the directory when it is missing, and checks its path option", async () => {
    const path = join(await tempDir(), "missing", "conversations.db");
    const error = await SqliteConversationStore.open({ path }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "STORE_FAILED")).toBe(true);
    expect((error as Error).message).toContain("Create its directory");
    await expectCode(SqliteConversationStore.open({ path: "" }), "INVALID_OPTION");
  });

  it("opens a version 1 file (before seen events, claims and insights), keeps what it holds, and adds what came since", async () => {
    const path = join(await tempDir(), "conversations.db");
    const v1 = new Database(path);
    v1.exec(`${SCHEMA_V1}
      INSERT INTO conversations VALUES ('c1', 'slack', 'U1', 'open', '2024-05-01T09:00:01.000Z', '2024-05-01T09:00:01.000Z');
      INSERT INTO turns VALUES (1, 't1', 'c1', 'user', 'refund?', NULL, NULL, NULL, '2024-05-01T09:00:01.000Z');
      PRAGMA user_version = 1;`);
    v1.close();
    const history = [{ id: "t1", conversationId: "c1", role: "user", text: "refund?", createdAt: "2024-05-01T09:00:01.000Z" }];

    const reopened = await tracked(SqliteConversationStore.open({ path }));
    expect(await reopened.history("c1")).toEqual(history);
    expect(await reopened.markEventSeen("slack:C1:1.0", 60_000)).toBe(true);
    expect(await reopened.markEventSeen("slack:C1:1.0", 60_000)).toBe(false);
    expect(await reopened.claim("answer:c1", "a", 60_000)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(4);
    db.close();
  });

  it("opens a version 2 file (before insights), fills in channels, handoff reasons and sources, and counts its turns", async () => {
    const path = join(await tempDir(), "conversations.db");
    const v2 = new Database(path);
    // What version 2 wrote: version 1 and the seen events.
    v2.exec(`${SCHEMA_V1}
      CREATE TABLE seen_events (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX seen_events_by_expiry ON seen_events (expires_at);
      INSERT INTO conversations VALUES ('a', 'slack', 'U1', 'open', '2024-05-06T09:00:00.000Z', '2024-05-06T09:00:02.000Z');
      INSERT INTO conversations VALUES ('b', 'web', 'U2', 'handed-off', '2024-05-06T10:00:00.000Z', '2024-05-06T10:00:02.000Z');
      INSERT INTO turns VALUES (1, 't1', 'a', 'user', 'refund?', NULL, NULL, NULL, '2024-05-06T09:00:01.000Z');
      INSERT INTO turns VALUES (2, 't2', 'a', 'assistant', 'Refunds take 5 days.', 'answered', '${JSON.stringify(sources)}', 'extractive', '2024-05-06T09:00:02.000Z');
      INSERT INTO turns VALUES (3, 't3', 'b', 'user', 'human please', NULL, NULL, NULL, '2024-05-06T10:00:01.000Z');
      INSERT INTO turns VALUES (4, 't4', 'b', 'assistant', 'A human will help.', 'handoff', NULL, NULL, '2024-05-06T10:00:02.000Z');
      PRAGMA user_version = 2;
    `);
    v2.close();

    const store = await tracked(SqliteConversationStore.open({ path }));
    expect((await store.history("b"))[1]).toMatchObject({ outcome: "handoff", handoffReason: "user-request" });
    const activity = await store.activity({ since: "2024-05-06T00:00:00.000Z", until: "2024-05-07T00:00:00.000Z", period: "day" });
    expect(byKey(activity.conversations)).toEqual(
      byKey([
        { period: "2024-05-06", channel: "slack", conversations: 1, answered: 1, handedOff: 0, deflected: 1, resolved: 0 },
        { period: "2024-05-06", channel: "web", conversations: 1, answered: 0, handedOff: 1, deflected: 0, resolved: 0 },
      ]),
    );
    expect(activity.replies.find((r) => r.outcome === "answered")).toMatchObject({ channel: "slack", mode: "extractive", count: 1 });
    expect((await store.sourceUse({ since: "2024-05-06T00:00:00.000Z", until: "2024-05-07T00:00:00.000Z" })).map((s) => [s.id, s.answered])).toEqual([
      ["faq-invoices", 1],
      ["faq-refunds", 1],
    ]);
  });

  it("refuses a database with a version 1 label but not its tables, without writing to it", async () => {
    const path = join(await tempDir(), "other.db");
    const other = new Database(path);
    other.exec("CREATE TABLE notes (text TEXT)");
    other.pragma("user_version = 1");
    other.close();
    await expectCode(SqliteConversationStore.open({ path }), "STORE_FAILED");
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master").pluck().all()).toEqual(["notes"]);
    db.close();
  });

  it("marks an event seen for one of two stores on one file (two processes), and prunes records whose time is up", async () => {
    let t = Date.parse("2024-05-01T09:00:00.000Z");
    const now = () => new Date(t);
    const path = join(await tempDir(), "conversations.db");
    const first = await tracked(SqliteConversationStore.open({ path, now }));
    const second = await tracked(SqliteConversationStore.open({ path, now }));
    const keys = Array.from({ length: 50 }, (_, i) => `slack:C1:${i}.0`);
    const results = await Promise.all(keys.flatMap((key) => [first.markEventSeen(key, 60_000), second.markEventSeen(key, 60_000)]));
    for (let i = 0; i < keys.length; i++) expect([results[2 * i], results[2 * i + 1]]).toEqual([true, false]);

    const rows = () => {
      const db = new Database(path, { readonly: true });
      const count = db.prepare("SELECT count(*) FROM seen_events").pluck().get();
      db.close();
      return count;
    };
    expect(rows()).toBe(50);
    t += 60_000;
    expect(await second.markEventSeen("slack:C1:later.0", 60_000)).toBe(true);
    expect(rows()).toBe(1);
  });
});

const byKey = <T extends object>(rows: T[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe.each(implementations)("ConversationStore insights contract: $name", (impl) => {
  async function scripted(): Promise<ConversationStore> {
    let t = new Date(0);
    const store = await tracked(impl.open({ now: () => t }));
    await scriptedWeek(store, (iso) => (t = new Date(iso)));
    return store;
  }

  it("keeps a turn's handoff reason and timings, and refuses bad ones", async () => {
    const store = await tracked(impl.open({ now: tickingClock() }));
    await store.appendTurn(ask("c1", "I want a human"));
    const handoff = await store.appendTurn({ conversationId: "c1", role: "assistant", text: "A human will help.", outcome: "handoff", handoffReason: "user-request", totalMs: 3.5 });
    const answered = await store.appendTurn({ ...answer("c1", "a"), timeToFirstTokenMs: 0, totalMs: 812.25 });
    expect(handoff).toMatchObject({ handoffReason: "user-request", totalMs: 3.5 });
    expect(answered).toMatchObject({ timeToFirstTokenMs: 0, totalMs: 812.25 });
    expect((await store.history("c1")).slice(1)).toEqual([handoff, answered]);
    await expectCode(store.appendTurn({ ...answer("c1", "x"), handoffReason: "bored" as "user-request" }), "INVALID_OPTION");
    for (const ms of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect((await expectCode(store.appendTurn({ ...answer("c1", "x"), totalMs: ms }), "INVALID_OPTION")).message).toContain("totalMs");
    expect(await store.history("c1")).toHaveLength(3);
  });

  it("counts replies, votes, conversations and timings by day and channel", async () => {
    const store = await scripted();
    const activity = await store.activity({ ...week, period: "day", escalated: ["c7"] });
    const reply = (period: string, channel: string, outcome: string, mode: string | null, handoffReason: string | null, count = 1) => ({ period, channel, outcome, mode, handoffReason, count });
    expect(byKey(activity.replies)).toEqual(
      byKey([
        reply("2024-05-06", "web", "answered", "extractive", null),
        reply("2024-05-06", "web", "abstained", null, null),
        reply("2024-05-06", "web", "handoff", null, "repeated-abstentions"),
        reply("2024-05-06", "slack", "handoff", null, "user-request"),
        reply("2024-05-06", "slack", "answered", "generative", null),
        reply("2024-05-07", "web", "abstained", null, null),
        reply("2024-05-07", "discord", "answered", "extractive", null),
        reply("2024-05-12", "web", "answered", "extractive", null),
      ]),
    );
    expect(byKey(activity.votes)).toEqual(
      byKey([
        { period: "2024-05-06", channel: "web", vote: "up", count: 1 },
        { period: "2024-05-06", channel: "slack", vote: "down", count: 1 },
      ]),
    );
    const conv = (period: string, channel: string, conversations: number, answered: number, handedOff: number, deflected: number, resolved: number) => ({
      period,
      channel,
      conversations,
      answered,
      handedOff,
      deflected,
      resolved,
    });
    expect(byKey(activity.conversations)).toEqual(
      byKey([
        conv("2024-05-06", "web", 2, 1, 1, 1, 0), // c1 deflected; c2 handed off
        conv("2024-05-06", "slack", 2, 1, 1, 1, 0), // c4 deflected (a 👎 is not an escalation); c3 handed off
        conv("2024-05-07", "web", 1, 0, 0, 0, 0), // c5 only abstained
        conv("2024-05-07", "discord", 1, 1, 0, 1, 1),
        conv("2024-05-12", "web", 1, 1, 0, 0, 0), // c7 answered, then a ticket
      ]),
    );
    const timing = (period: string, channel: string, metric: string, ms: number) => ({ period, channel, metric, ms, count: 1 });
    expect(byKey(activity.timings)).toEqual(
      byKey([
        timing("2024-05-06", "web", "timeToFirstToken", 10),
        timing("2024-05-06", "web", "total", 12),
        timing("2024-05-06", "web", "total", 30),
        timing("2024-05-06", "web", "total", 40),
        timing("2024-05-06", "slack", "timeToFirstToken", 850),
        timing("2024-05-06", "slack", "total", 2400),
        timing("2024-05-07", "web", "total", 55),
        timing("2024-05-07", "discord", "timeToFirstToken", 14),
        timing("2024-05-07", "discord", "total", 15),
        timing("2024-05-12", "web", "timeToFirstToken", 120), // 123.4 to two significant digits
        timing("2024-05-12", "web", "total", 1200),
      ]),
    );
  });

  it("groups by weeks starting on Monday, and keeps to one channel when asked", async () => {
    const store = await scripted();
    const weekly = await store.activity({ ...week, period: "week" });
    expect(new Set(weekly.replies.map((r) => r.period))).toEqual(new Set(["2024-05-06"]));
    expect(weekly.replies.reduce((n, r) => n + r.count, 0)).toBe(8);
    expect(byKey(weekly.conversations.filter((c) => c.channel === "web"))).toEqual([
      { period: "2024-05-06", channel: "web", conversations: 4, answered: 2, handedOff: 1, deflected: 2, resolved: 0 },
    ]);
    const slack = await store.activity({ ...week, period: "week", channel: "slack" });
    expect(new Set([...slack.replies, ...slack.votes, ...slack.conversations, ...slack.timings].map((r) => r.channel))).toEqual(new Set(["slack"]));
    expect(slack.replies.reduce((n, r) => n + r.count, 0)).toBe(2);
    const later = await store.activity({ since: week.until, until: "2024-05-14T00:00:00.000Z", period: "day" });
    expect(later.replies).toEqual([{ period: "2024-05-13", channel: "web", outcome: "abstained", mode: null, handoffReason: null, count: 1 }]);
    const empty = await store.activity({ since: "2023-01-01T00:00:00.000Z", until: "2023-02-01T00:00:00.000Z", period: "day" });
    expect(empty).toEqual({ replies: [], votes: [], conversations: [], timings: [] });
  });

  it("lists the questions it failed on, grouped by wording, most conversations first", async () => {
    const store = await scripted();
    const failed = await store.failedQuestions({ ...week, limit: 10 });
    expect(failed).toEqual([
      { text: "Can I pay in bitcoin?", count: 2, conversations: 2, channels: ["web"], abstained: 2, handedOff: 0, thumbsDown: 0, lastAskedAt: "2024-05-07T08:00:00.000Z" },
      { text: "Where are my invoices?", count: 1, conversations: 1, channels: ["slack"], abstained: 0, handedOff: 0, thumbsDown: 1, lastAskedAt: "2024-05-06T12:00:00.000Z" },
      { text: "bitcoin please", count: 1, conversations: 1, channels: ["web"], abstained: 0, handedOff: 1, thumbsDown: 0, lastAskedAt: "2024-05-06T10:01:00.000Z" },
    ]);
    expect((await store.failedQuestions({ ...week, limit: 1 })).map((q) => q.text)).toEqual(["Can I pay in bitcoin?"]);
    expect(await store.failedQuestions({ ...week, channel: "discord", limit: 10 })).toEqual([]);
    await expectCode(store.failedQuestions({ ...week, limit: 0 }), "INVALID_OPTION");
  });

  it("counts each source's answers, showings and votes, with its latest title", async () => {
    const store = await scripted();
    expect(await store.sourceUse(week)).toEqual([
      { id: "faq-invoices", title: "Where are my invoices? (renamed)", source: "faq/billing.md:30", answered: 2, shownWhenUnanswered: 1, up: 0, down: 1 },
      { id: "faq-refunds", title: "How do refunds work?", source: "faq/billing.md:12", answered: 3, shownWhenUnanswered: 0, up: 1, down: 1 },
    ]);
    expect(await store.sourceUse({ ...week, channel: "discord" })).toEqual([
      { id: "faq-refunds", title: "How do refunds work?", source: "faq/billing.md:12", answered: 1, shownWhenUnanswered: 0, up: 0, down: 0 },
    ]);
  });

  it("forgets a deleted conversation in every count", async () => {
    const store = await scripted();
    await store.deleteConversation("c4");
    const activity = await store.activity({ ...week, period: "week" });
    expect(activity.votes).toEqual([{ period: "2024-05-06", channel: "web", vote: "up", count: 1 }]);
    expect((await store.failedQuestions({ ...week, limit: 10 })).map((q) => q.text)).not.toContain("Where are my invoices?");
    expect((await store.sourceUse(week)).find((s) => s.id === "faq-refunds")).toMatchObject({ answered: 2, down: 0 });
  });

  it("checks its queries", async () => {
    const store = await tracked(impl.open({}));
    expect((await expectCode(store.activity({ since: "last week", until: week.until, period: "day" }), "INVALID_OPTION")).message).toContain("since");
    expect((await expectCode(store.activity({ ...week, period: "month" as "day" }), "INVALID_OPTION")).message).toContain("period");
    await expectCode(store.sourceUse({ ...week, channel: "" }), "INVALID_OPTION");
  });
});

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

  it("opens a version 1 file (before seen events and claims), keeps what it holds, and adds both tables", async () => {
    const { path, store } = await storeFile();
    await store.appendTurn({ ...ask("c1", "refund?"), channel: "slack", user: "U1" });
    const history = await store.history("c1");
    await store.dispose();
    // What version 1 wrote: version 2 added the seen_events table (its index goes with it), version 3 claims.
    const v1 = new Database(path);
    v1.exec("DROP TABLE seen_events; DROP TABLE claims");
    v1.pragma("user_version = 1");
    v1.close();

    const reopened = await tracked(SqliteConversationStore.open({ path }));
    expect(await reopened.history("c1")).toEqual(history);
    expect(await reopened.markEventSeen("slack:C1:1.0", 60_000)).toBe(true);
    expect(await reopened.markEventSeen("slack:C1:1.0", 60_000)).toBe(false);
    expect(await reopened.claim("answer:c1", "a", 60_000)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(3);
    db.close();
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

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { isLlamadeskError, type ErrorCode } from "../../src/errors.js";
import { PostgresHandoffTicketStore } from "../../src/postgres/PostgresHandoffTicketStore.js";
import type { HandoffTicketStore, NewHandoffTicket } from "../../src/store/HandoffTicketStore.js";
import { MemoryHandoffTicketStore } from "../../src/store/MemoryHandoffTicketStore.js";
import { SqliteHandoffTicketStore } from "../../src/store/SqliteHandoffTicketStore.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

const dirs: string[] = [];
const stores: HandoffTicketStore[] = [];
const postgres = useTestDatabase();
afterEach(async () => {
  for (const store of stores.splice(0)) await store.dispose();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-tickets-"));
  dirs.push(dir);
  return dir;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isLlamadeskError(error, code), `expected a LlamadeskError ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

function tickingClock(start = "2024-05-01T09:00:00.000Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

const ticket = (over: Partial<NewHandoffTicket> = {}): NewHandoffTicket => ({
  conversationId: "web-abc",
  name: "Ada",
  email: "ada@example.com",
  message: "My invoices are missing.",
  ...over,
});

const implementations = [
  { name: "MemoryHandoffTicketStore", open: async (now: () => Date) => new MemoryHandoffTicketStore({ now }) },
  { name: "SqliteHandoffTicketStore", open: async (now: () => Date) => SqliteHandoffTicketStore.open({ path: join(await tempDir(), "tickets.sqlite"), now }) },
  // One database for the file; each test a knowledge base of its own in it.
  { name: "PostgresHandoffTicketStore", open: async (now: () => Date) => PostgresHandoffTicketStore.open({ postgres: await postgres.postgres(), knowledge: postgres.knowledge(), now }) },
];

describe.each(implementations)("$name", ({ open }) => {
  async function store(): Promise<HandoffTicketStore> {
    const s = await open(tickingClock());
    stores.push(s);
    return s;
  }

  it("creates tickets with an id and time, and gives them back newest first", async () => {
    const s = await store();
    const first = await s.create(ticket());
    const second = await s.create(ticket({ conversationId: "web-def", name: "Grace", webhook: "pending" }));
    expect(first).toMatchObject({ ...ticket(), webhook: "none", createdAt: "2024-05-01T09:00:01.000Z" });
    expect(first.id).not.toBe(second.id);
    expect(await s.get(first.id)).toEqual(first);
    expect((await s.list()).map((t) => t.name)).toEqual(["Grace", "Ada"]);
    expect((await s.list({ conversationId: "web-def" })).map((t) => t.id)).toEqual([second.id]);
    expect(await s.get("nope")).toBeUndefined();
  });

  it("records how the webhook went, with the reason of a failure", async () => {
    const s = await store();
    const created = await s.create(ticket({ webhook: "pending" }));
    expect(created.webhook).toBe("pending");
    const failed = await s.setWebhookStatus(created.id, "failed", "HTTP 500 from the webhook");
    expect(failed).toMatchObject({ webhook: "failed", webhookError: "HTTP 500 from the webhook" });
    const sent = await s.setWebhookStatus(created.id, "sent");
    expect(sent.webhook).toBe("sent");
    expect(sent.webhookError).toBeUndefined();
    expect(await s.get(created.id)).toEqual(sent);
    await expectCode(s.setWebhookStatus("nope", "sent"), "INVALID_OPTION");
  });

  it("rejects empty fields and naming the field", async () => {
    const s = await store();
    const error = await expectCode(s.create(ticket({ email: " " })), "INVALID_OPTION");
    expect(error.message).toMatch(/email must be a non-empty string/);
    await expectCode(s.create(ticket({ webhook: "sent" as never })), "INVALID_OPTION");
    expect(await s.list()).toEqual([]);
  });

  it("returns copies: changing a result changes nothing stored", async () => {
    const s = await store();
    const created = await s.create(ticket());
    created.name = "changed";
    (await s.list())[0]!.email = "changed";
    expect(await s.get(created.id)).toMatchObject({ name: "Ada", email: "ada@example.com" });
  });

  it("refuses calls after dispose; a second dispose does nothing", async () => {
    const s = await store();
    await s.dispose();
    await s.dispose();
    await expectCode(s.list(), "STORE_FAILED");
  });
});

describe("SqliteHandoffTicketStore on disk", () => {
  it("keeps tickets across reopening", async () => {
    const path = join(await tempDir(), "tickets.sqlite");
    const first = await SqliteHandoffTicketStore.open({ path });
    const created = await first.create(ticket());
    await first.dispose();
    const again = await SqliteHandoffTicketStore.open({ path });
    stores.push(again);
    expect(await again.get(created.id)).toEqual(created);
  });

  it("does not write into a SQLite database it did not create", async () => {
    const path = join(await tempDir(), "other.sqlite");
    const other = new Database(path);
    other.exec("CREATE TABLE mine (x)");
    other.close();
    const error = await expectCode(SqliteHandoffTicketStore.open({ path }), "STORE_FAILED");
    expect(error.message).toContain("not a llamadesk handoff ticket store");
  });

  it("says what is wrong with a path it cannot open", async () => {
    const error = await expectCode(SqliteHandoffTicketStore.open({ path: join(await tempDir(), "missing-dir", "t.sqlite") }), "STORE_FAILED");
    expect(error.message).toContain("Cannot open the handoff ticket store");
  });
});

import { describe, expect, it } from "vitest";
import { MemoryIssuedConversationIds, type IssuedConversationIds } from "../../src/channels/web/IssuedConversationIds.js";
import { PostgresIssuedConversationIds } from "../../src/postgres/PostgresIssuedConversationIds.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

const database = useTestDatabase();

interface IdsSpec {
  now: () => number;
  unusedTtlMs?: number;
  maxIssued?: number;
}

const implementations = [
  { name: "MemoryIssuedConversationIds", open: async (spec: IdsSpec): Promise<IssuedConversationIds> => new MemoryIssuedConversationIds(spec) },
  {
    name: "PostgresIssuedConversationIds",
    // Pruning on every add, so the bound holds exactly, as the memory one's does.
    open: async (spec: IdsSpec): Promise<IssuedConversationIds> =>
      new PostgresIssuedConversationIds({ postgres: await database.postgres(), knowledge: database.knowledge(), pruneEveryMs: 0, ...spec }),
  },
];

describe.each(implementations)("$name (IssuedConversationIds contract)", ({ open }) => {
  it("knows the ids issued, and no others", async () => {
    const ids = await open({ now: () => 0 });
    await ids.add("web-a");
    await ids.add("web-b");
    expect(await ids.has("web-a")).toBe(true);
    expect(await ids.has("web-b")).toBe(true);
    expect(await ids.has("web-c")).toBe(false);
  });

  it("remembers at most maxIssued ids, forgetting the oldest first", async () => {
    const ids = await open({ maxIssued: 10, now: () => 0 });
    for (let i = 0; i < 30; i++) await ids.add(`web-${i}`);
    const known = [];
    for (let i = 0; i < 30; i++) if (await ids.has(`web-${i}`)) known.push(i);
    expect(known).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  });

  it("forgets ids unused for unusedTtlMs, also when no new id is issued", async () => {
    let now = 0;
    const ids = await open({ unusedTtlMs: 60_000, now: () => now });
    await ids.add("web-first");
    now = 30_000;
    await ids.add("web-second");
    now = 60_000;
    expect(await ids.has("web-first")).toBe(true);
    now = 60_001;
    expect(await ids.has("web-first")).toBe(false);
    expect(await ids.has("web-second")).toBe(true);
    now = 90_001;
    expect(await ids.has("web-second")).toBe(false);
  });
});

describe("MemoryIssuedConversationIds's bound", () => {
  it("drops what it forgot from memory", async () => {
    let now = 0;
    const ids = new MemoryIssuedConversationIds({ unusedTtlMs: 60_000, maxIssued: 100, now: () => now });
    for (let i = 0; i < 1_000; i++) await ids.add(`web-${i}`);
    expect(ids.size).toBe(100);
    now = 60_001;
    await ids.has("web-0");
    expect(ids.size).toBe(0);
  });
});

describe("PostgresIssuedConversationIds's bound", () => {
  it("deletes the rows of ids past their time and beyond maxIssued when a prune is due", async () => {
    const postgres = await database.postgres();
    const knowledge = database.knowledge();
    let now = 0;
    const ids = new PostgresIssuedConversationIds({ postgres, knowledge, unusedTtlMs: 60_000, maxIssued: 3, now: () => now, pruneEveryMs: 0 });
    const rows = async () => (await postgres.query<{ id: string }>("SELECT id FROM llamadesk_web_conversations WHERE knowledge = $1 ORDER BY seq", [knowledge])).rows.map((r) => r.id);
    for (const id of ["web-1", "web-2", "web-3", "web-4"]) await ids.add(id);
    expect(await rows()).toEqual(["web-2", "web-3", "web-4"]);
    now = 30_000;
    await ids.add("web-5");
    now = 60_001;
    await ids.add("web-6");
    expect(await rows()).toEqual(["web-5", "web-6"]);
  });

  it("keeps each knowledge base's ids to itself", async () => {
    const postgres = await database.postgres();
    const a = new PostgresIssuedConversationIds({ postgres, knowledge: database.knowledge() });
    const b = new PostgresIssuedConversationIds({ postgres, knowledge: database.knowledge() });
    await a.add("web-shared-name");
    expect(await a.has("web-shared-name")).toBe(true);
    expect(await b.has("web-shared-name")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { MemoryRateLimiter, type RateLimiter } from "../../src/channels/web/RateLimiter.js";
import { PostgresRateLimiter } from "../../src/postgres/PostgresRateLimiter.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

const database = useTestDatabase();

interface LimiterSpec {
  requests: number;
  windowSeconds: number;
  now: () => number;
  /** The budget's name (buckets of other names are apart). Defaults to "perIp". */
  name?: string;
}

/** Every implementation, opened for a test; the Postgres ones of one test share a knowledge base (and one clock). */
const implementations = [
  {
    name: "MemoryRateLimiter",
    // Memory limiters of one process are apart by being different objects.
    scope: async () => (spec: LimiterSpec) => new MemoryRateLimiter(spec),
  },
  {
    name: "PostgresRateLimiter",
    scope: async () => {
      const postgres = await database.postgres();
      const knowledge = database.knowledge();
      return (spec: LimiterSpec) => new PostgresRateLimiter({ postgres, knowledge, name: "perIp", ...spec });
    },
  },
];

describe.each(implementations)("$name (RateLimiter contract)", ({ scope }) => {
  const okays = async (limiter: RateLimiter, key: string, n: number) => {
    const decisions = [];
    for (let i = 0; i < n; i++) decisions.push((await limiter.take(key)).ok);
    return decisions;
  };

  it("allows a burst of `requests`, then one more per window/requests, per key", async () => {
    let now = 0;
    const limiter = (await scope())({ requests: 2, windowSeconds: 10, now: () => now });
    expect(await limiter.take("a")).toEqual({ ok: true });
    expect(await limiter.take("a")).toEqual({ ok: true });
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 5 });
    expect(await limiter.take("b")).toEqual({ ok: true });
    now = 4_000;
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = 5_000;
    expect(await limiter.take("a")).toEqual({ ok: true });
    now = 1_000_000; // refills to the burst size, not beyond
    expect(await okays(limiter, "a", 3)).toEqual([true, true, false]);
  });

  it("refills by the time passed, in fractions of a token, and never takes a refused request's token", async () => {
    let now = 0;
    const limiter = (await scope())({ requests: 4, windowSeconds: 40, now: () => now }); // one token per 10 s
    expect(await okays(limiter, "a", 5)).toEqual([true, true, true, true, false]);
    now = 5_000; // half a token
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 5 });
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 5 });
    now = 10_000;
    expect(await okays(limiter, "a", 2)).toEqual([true, false]);
  });

  it("keeps the buckets of budgets with other names apart", async () => {
    const open = await scope();
    const perIp = open({ requests: 1, windowSeconds: 60, now: () => 0, name: "perIp" });
    const perConversation = open({ requests: 1, windowSeconds: 60, now: () => 0, name: "perConversation" });
    expect((await perIp.take("k")).ok).toBe(true);
    expect((await perConversation.take("k")).ok).toBe(true);
    expect((await perIp.take("k")).ok).toBe(false);
  });

  it("lets exactly `requests` through of requests racing on one key", async () => {
    const limiter = (await scope())({ requests: 5, windowSeconds: 3600, now: () => 0 });
    const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.take("ip:203.0.113.9")));
    expect(decisions.filter((d) => d.ok)).toHaveLength(5);
    expect(decisions.filter((d) => !d.ok)).toEqual(Array(15).fill({ ok: false, retryAfterSeconds: 720 }));
  });
});

describe("MemoryRateLimiter's bound", () => {
  it("forgets full buckets first when it holds too many keys, without letting anyone through early", async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter({ requests: 1, windowSeconds: 60, now: () => now, maxKeys: 10 });
    await limiter.take("idle-1");
    await limiter.take("idle-2");
    now = 50_000;
    await limiter.take("busy");
    now = 60_000; // idle-1 and idle-2 are full again, busy is not
    for (let i = 0; i < 8; i++) await limiter.take(`new-${i}`);
    expect(limiter.size).toBe(9);
    expect(await limiter.take("busy")).toEqual({ ok: false, retryAfterSeconds: 50 });
  });

  it("keeps at most maxKeys buckets when every one is in use, dropping the least recently used", async () => {
    const limiter = new MemoryRateLimiter({ requests: 1, windowSeconds: 60, now: () => 0, maxKeys: 100 });
    let largest = 0;
    for (let i = 0; i < 2_000; i++) {
      expect(await limiter.take(`key-${i}`)).toEqual({ ok: true });
      largest = Math.max(largest, limiter.size);
    }
    expect(largest).toBe(100);
    expect(await limiter.take("key-1999")).toEqual({ ok: false, retryAfterSeconds: 60 }); // the recent keep their state
    expect(await limiter.take("key-0")).toEqual({ ok: true }); // the bound's price: a forgotten key starts afresh
  });
});

describe("PostgresRateLimiter's bound", () => {
  it("deletes buckets full again (untouched for a window), and only those, so nobody gets through early", async () => {
    const postgres = await database.postgres();
    const knowledge = database.knowledge();
    let now = 0;
    const open = (name: string) => new PostgresRateLimiter({ postgres, knowledge, name, requests: 1, windowSeconds: 60, now: () => now, pruneEveryMs: 0 });
    const limiter = open("perIp");
    const rows = async () =>
      (await postgres.query<{ key: string }>("SELECT key FROM llamadesk_rate_limits WHERE knowledge = $1 ORDER BY key", [knowledge])).rows.map((r) => r.key);
    await limiter.take("idle-1");
    await open("perConversation").take("idle-2");
    now = 50_000;
    await limiter.take("busy");
    expect(await rows()).toEqual(["busy", "idle-1", "idle-2"]);
    now = 60_000; // idle-1 and idle-2 are full again, busy is not
    await limiter.take("new");
    expect(await rows()).toEqual(["busy", "new"]);
    expect(await limiter.take("busy")).toEqual({ ok: false, retryAfterSeconds: 50 });
    expect(await limiter.take("idle-1")).toEqual({ ok: true });
  });

  it("keeps each knowledge base's buckets to itself", async () => {
    const postgres = await database.postgres();
    const [billing, shipping] = [database.knowledge(), database.knowledge()];
    const a = new PostgresRateLimiter({ postgres, knowledge: billing, name: "perIp", requests: 1, windowSeconds: 60, now: () => 0 });
    const b = new PostgresRateLimiter({ postgres, knowledge: shipping, name: "perIp", requests: 1, windowSeconds: 60, now: () => 0 });
    expect((await a.take("ip:1")).ok).toBe(true);
    expect((await b.take("ip:1")).ok).toBe(true);
    expect((await a.take("ip:1")).ok).toBe(false);
  });

  it("runs on the database server's clock when given none", async () => {
    const postgres = await database.postgres();
    const limiter = new PostgresRateLimiter({ postgres, knowledge: database.knowledge(), name: "perIp", requests: 2, windowSeconds: 3600 });
    expect([(await limiter.take("a")).ok, (await limiter.take("a")).ok]).toEqual([true, true]);
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: expect.any(Number) });
  });
});

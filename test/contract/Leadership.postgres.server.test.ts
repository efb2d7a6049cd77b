import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import type { Lease } from "../../src/channels/Leadership.js";
import { isLlamadeskError } from "../../src/errors.js";
import { openPostgres } from "../../src/postgres/openPostgres.js";
import { PostgresLeadership } from "../../src/postgres/PostgresLeadership.js";
import { requireRealServer, useTestDatabase } from "../support/postgres/testDatabase.js";
import { leadershipContract } from "./Leadership.contract.js";

// Advisory locks exclude only across real sessions: PGlite has one session, where every connection gets every lock.
requireRealServer();
const database = useTestDatabase();
const eventually = { timeout: 20_000, interval: 20 };

/** A replica: a pool of its own on the file's database (another process, as far as the server can tell). */
const replica = async (options: ConstructorParameters<typeof PostgresLeadership>[1] = {}) => new PostgresLeadership(await (await database.database()).open(), { retryMs: 200, ...options });

leadershipContract({ name: "PostgresLeadership", replicas: async () => [await replica(), await replica()] });

describe("PostgresLeadership", () => {
  it("when the leader's connection dies, the server frees the lock: the leader's lease is lost (DATABASE_UNREACHABLE) and the replica standing by leads", async () => {
    const postgres = await database.postgres();
    const [one, two] = [await replica({ checkMs: 60_000 }), await replica()];
    const leader = await one.acquire("gateway");
    let standby = false;
    let next: Lease | undefined;
    const waiting = two.acquire("gateway", { onStandby: () => (standby = true) }).then((lease) => (next = lease));
    await vi.waitFor(() => expect(standby).toBe(true), eventually);

    // The holder's session, as the server sees it; ended as a killed process's would be.
    const { rows } = await postgres.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(rows).toHaveLength(1);
    await postgres.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);

    await vi.waitFor(() => expect(leader.lost.aborted).toBe(true), eventually);
    expect(isLlamadeskError(leader.lost.reason, "DATABASE_UNREACHABLE")).toBe(true);
    expect((leader.lost.reason as Error).message).toMatch(/^Lost the database connection that holds the lead/);
    await waiting;
    expect(next!.lost.aborted).toBe(false);
    await leader.release(); // lost already: nothing to do
    await next!.release();
  });

  it("a replica standing by whose connection dies reports it once and keeps standing by on a new one", async () => {
    const postgres = await database.postgres();
    const [one, two] = [await replica(), await replica()];
    const leader = await one.acquire("gateway-2");
    const errors: string[] = [];
    let standby = 0;
    let next: Lease | undefined;
    const waiting = two.acquire("gateway-2", { onStandby: () => standby++, onError: (error) => errors.push(error.code) }).then((lease) => (next = lease));
    await vi.waitFor(() => expect(standby).toBe(1), eventually);
    const { rows } = await postgres.query<{ pid: number }>(
      // Sessions whose last statement was a try for the lead and that hold none: the one standing by (and idle ones of earlier tests' pools).
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_try_advisory_lock%'
         AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) await postgres.query("SELECT pg_terminate_backend($1)", [row.pid]);
    await vi.waitFor(() => expect(errors).toEqual(["DATABASE_UNREACHABLE"]), eventually);

    await leader.release();
    await waiting;
    expect(next!.lost.aborted).toBe(false);
    await next!.release();
  });

  it("a leader whose connection goes silent (no error, no answer: a network partition) gives up the lead after a check goes unanswered, and the server frees it", async () => {
    const db = await database.database();
    const proxy = await startFreezableProxy(new URL(db.url));
    try {
      const url = new URL(db.url);
      url.host = `127.0.0.1:${proxy.port}`;
      const onePostgres = await openPostgres(url.toString(), { log: () => undefined });
      const one = new PostgresLeadership(onePostgres, { retryMs: 200, checkMs: 200 });
      const two = await replica();
      const leader = await one.acquire("gateway-3");
      let next: Lease | undefined;
      const waiting = two.acquire("gateway-3").then((lease) => (next = lease));

      // Packets stop flowing both ways; neither end hears a thing.
      proxy.freeze();
      await vi.waitFor(() => expect(leader.lost.aborted).toBe(true), eventually);
      expect(isLlamadeskError(leader.lost.reason, "DATABASE_UNREACHABLE")).toBe(true);
      expect((leader.lost.reason as Error).message).toMatch(/did not answer a check within 200 ms/);
      // Nothing reaches the server either: it ends the silent session (idle for three check periods), which frees
      // the lock, and the other replica leads.
      await waiting;
      expect(next!.lost.aborted).toBe(false);
      await next!.release();
      await onePostgres.close();
    } finally {
      proxy.close();
    }
  });
});

/** A TCP relay to the server that can stop relaying without closing anything, as a partitioned network does. */
async function startFreezableProxy(target: URL): Promise<{ port: number; freeze(): void; close(): void }> {
  const pairs: [Socket, Socket][] = [];
  const server = createServer((down) => {
    const up = connect(Number(target.port), target.hostname);
    pairs.push([down, up]);
    down.pipe(up);
    up.pipe(down);
    const end = () => (down.destroy(), up.destroy());
    down.on("close", end).on("error", end);
    up.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      for (const [down, up] of pairs) {
        down.unpipe(up);
        up.unpipe(down);
        down.pause();
        up.pause();
      }
    },
    close: () => {
      for (const [down, up] of pairs) (down.destroy(), up.destroy());
      server.close();
    },
  };
}

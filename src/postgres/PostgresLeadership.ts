import type pg from "pg";
import { abortedWaiting, type AcquireLeadOptions, type Leadership, type Lease } from "../channels/Leadership.js";
import { LlamadeskError } from "../errors.js";
import type { Postgres } from "./Postgres.js";
import { toLlamadeskError } from "./postgresErrors.js";

export interface PostgresLeadershipOptions {
  /** How often a replica standing by tries to take the lead, in ms. Defaults to 1000. */
  retryMs?: number;
  /** How often the leader checks that the connection holding the lead still answers, in ms. Defaults to 5000. */
  checkMs?: number;
}

/**
 * The lead among replicas sharing one database: a session advisory lock on `hashtextextended('llamadesk:lead:'
 * + name)`, held on a connection of its own for as long as the lead lasts. Replicas standing by try it every
 * `retryMs`. When the leader's process dies, the server ends its session and so frees the lock, and a replica
 * standing by takes it within about `retryMs`. The leader hears of its own connection failing (an error on it,
 * or a check every `checkMs` that goes unanswered until the next) and its lease is then `lost`. A connection
 * that goes silent without failing (a network partition) is ended by the server after three check periods
 * without a query (`idle_session_timeout`), so the lock does not outlive the lead: by then the leader has given
 * it up, and a replica standing by takes it.
 *
 * The name ends up in a query parameter: pass something derived from a secret, never the secret itself.
 */
export class PostgresLeadership implements Leadership {
  private readonly retryMs: number;
  private readonly checkMs: number;

  constructor(
    private readonly postgres: Postgres,
    options: PostgresLeadershipOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 1000;
    this.checkMs = options.checkMs ?? 5000;
  }

  async acquire(name: string, options: AcquireLeadOptions = {}): Promise<Lease> {
    const key = `llamadesk:lead:${name}`;
    const { signal } = options;
    let told = false;
    let failing = false;
    for (;;) {
      if (signal?.aborted) throw abortedWaiting(signal);
      let client: pg.PoolClient | undefined;
      let broken: unknown;
      const onError = (error: Error) => void (broken ??= error);
      try {
        client = await this.postgres.pool.connect();
        client.on("error", onError);
        while (broken === undefined) {
          const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked", [key]);
          if (rows[0]?.locked) {
            client.off("error", onError);
            // Should this connection go silent (a partition: no error, no answer), the server ends the session,
            // freeing the lock for another replica, once it has heard no check for three check periods; the
            // leader gives up the lead sooner, after one check goes unanswered for a period (see lease()).
            await client.query(`SET idle_session_timeout = ${3 * this.checkMs}`);
            return this.lease(client, key);
          }
          failing = false;
          if (!told) options.onStandby?.();
          told = true;
          await sleep(this.retryMs, signal);
        }
        throw broken;
      } catch (error) {
        if (signal?.aborted && broken === undefined) {
          client?.off("error", onError);
          client?.release();
          throw abortedWaiting(signal);
        }
        // A failed connection is dropped (keeping the listener: pg may report on it again while it closes).
        client?.release(error instanceof Error ? error : true);
        if (signal?.aborted) throw abortedWaiting(signal);
        // Standing by survives the database going away for a while: report it once, try again on a new connection.
        if (!failing) options.onError?.(toLlamadeskError(error, this.postgres.target));
        failing = true;
        await sleep(this.retryMs, signal).catch(() => undefined);
      }
    }
  }

  private lease(client: pg.PoolClient, key: string): Lease {
    const lost = new AbortController();
    let released = false;
    let checking = false;
    const lose = (error: unknown) => {
      if (released || lost.signal.aborted) return;
      clearInterval(timer);
      const reason = toLlamadeskError(error, this.postgres.target);
      // The session ends with the connection, and the server frees the lock with it.
      client.release(error instanceof Error ? error : true);
      lost.abort(
        new LlamadeskError("DATABASE_UNREACHABLE", `Lost the database connection that holds the lead, so another replica may take it: ${reason.message}`, { cause: reason }),
      );
    };
    client.on("error", lose);
    const timer = setInterval(() => {
      if (checking) return lose(new Error(`PostgreSQL at ${this.postgres.where} did not answer a check within ${this.checkMs} ms`));
      checking = true;
      client.query("SELECT 1").then(() => (checking = false), lose);
    }, this.checkMs);
    timer.unref();
    return {
      lost: lost.signal,
      release: async () => {
        if (released || lost.signal.aborted) return;
        released = true;
        clearInterval(timer);
        try {
          await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]);
          await client.query("RESET idle_session_timeout");
          client.off("error", lose);
          client.release();
        } catch (error) {
          // Dropping the connection frees the lock too.
          client.release(error instanceof Error ? error : true);
        }
      },
    };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
    };
    const stop = () => (done(), reject(signal!.reason));
    const timer = setTimeout(() => (done(), resolve()), ms);
    signal?.addEventListener("abort", stop, { once: true });
  });
}

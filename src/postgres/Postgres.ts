import type pg from "pg";
import { LlamadeskError } from "../errors.js";
import { toLlamadeskError } from "./postgresErrors.js";
import type { PostgresTarget } from "./postgresTarget.js";

/**
 * A PostgreSQL database that llamadesk's stores share: a connection pool, migrated to this llamadesk's
 * schema. Made by `openPostgres`; closing it is the caller's (stores opened on it leave it open).
 * Every failure is a LlamadeskError (DATABASE_UNREACHABLE, STORE_FAILED, ...) with pg's error as its cause.
 */
export class Postgres {
  private closed = false;

  /** @internal Use `openPostgres`. */
  constructor(
    /** The pg pool, for queries of your own; llamadesk's tables are named `llamadesk_*`. */
    readonly pool: pg.Pool,
    /** Where it points (no password), for messages. */
    readonly target: PostgresTarget,
  ) {}

  /** `host:port/database`. */
  get where(): string {
    return this.target.where;
  }

  /** Runs one statement on any free connection of the pool. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw toLlamadeskError(error, this.target);
    }
  }

  /**
   * Runs `work` in a transaction on one connection: committed when it resolves, rolled back when it throws.
   * `work` must use only the client it is given: waiting on the pool meanwhile can deadlock a full pool.
   */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toLlamadeskError(error, this.target);
    }
    let broken: unknown;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
      throw toLlamadeskError(error, this.target);
    } finally {
      // A connection that could not even roll back is dropped rather than handed to the next caller.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /** Closes every connection of the pool; calling it again does nothing. Stores opened on it fail afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new LlamadeskError("STORE_FAILED", `The connection pool to PostgreSQL at ${this.where} was closed; open it again with openPostgres.`);
  }
}

import { randomBytes } from "node:crypto";
import pg from "pg";
import { findPostgresServer } from "../../test/support/postgres/choosePostgresEngine.js";
import { startPostgresServer } from "../../test/support/postgres/startPostgresServer.js";
import { openPostgres, type OpenPostgresOptions } from "../../src/postgres/openPostgres.js";
import type { Postgres } from "../../src/postgres/Postgres.js";

/** A PostgreSQL server for one bench run: databases on demand; a throwaway one is stopped (and its directory removed) at the end. */
export interface BenchPostgres {
  /** Which server, its version, pgvector's and the shared buffers' size, for the log. */
  readonly version: string;
  /** A new empty database on the server, and its URL. */
  createDatabase(name: string): Promise<string>;
  /** `openPostgres` on a database made by `createDatabase`, its migration lines silenced. */
  open(url: string, options?: OpenPostgresOptions): Promise<Postgres>;
  stop(): Promise<void>;
}

/**
 * Starts the throwaway cluster the tests use (test/support/postgres: initdb as the postgres user when root,
 * a free loopback port, durability off since it is thrown away, otherwise initdb's default settings), or says
 * why there is none. With `serverUrl` (a superuser's, on a server with pgvector) it uses that server instead:
 * its databases are named llamadesk_bench_*, and dropped at the end.
 */
export async function startBenchPostgres(serverUrl?: string): Promise<BenchPostgres | { missing: string }> {
  let adminUrl = serverUrl;
  let stopServer = async () => {};
  if (adminUrl === undefined) {
    const found = findPostgresServer();
    if ("missing" in found) return { missing: found.missing };
    const server = await startPostgresServer(found.bin);
    adminUrl = server.adminUrl;
    stopServer = () => server.stop();
  }
  const admin = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const created: string[] = [];
  const stop = async () => {
    if (serverUrl !== undefined) for (const name of created) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await stopServer();
  };
  try {
    await admin("CREATE EXTENSION IF NOT EXISTS vector");
    const [row] = await admin<{ server: string; vector: string; buffers: string }>(
      "SELECT current_setting('server_version') AS server, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector, current_setting('shared_buffers') AS buffers",
    );
    return {
      version: `${serverUrl === undefined ? "a throwaway server" : "the server of BENCH_POSTGRES_URL"}: PostgreSQL ${row!.server}, pgvector ${row!.vector}, shared_buffers ${row!.buffers}`,
      async createDatabase(name) {
        const database = serverUrl === undefined ? name : `llamadesk_bench_${name}_${randomBytes(3).toString("hex")}`;
        await admin(`CREATE DATABASE ${database}`);
        created.push(database);
        const url = new URL(adminUrl);
        url.pathname = `/${database}`;
        return url.toString();
      },
      open: (url, options = {}) => openPostgres(url, { log: () => {}, ...options }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

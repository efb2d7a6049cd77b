/**
 * A throwaway PostgreSQL (with pgvector) for tests.
 *
 * ENGINE. One per `vitest run`, started by globalSetup.ts only when a file of the run imports this file:
 * - a real server: `initdb` of a temp cluster (as the `postgres` OS user when we are root) on a free
 *   loopback port, stopped and deleted at the end of the run (also, best effort, when the run crashes);
 * - or PGlite (Postgres in WebAssembly) with its `vector` extension behind @electric-sql/pglite-socket, so
 *   the code under test still speaks the wire protocol through pg.
 * LLAMADESK_TEST_POSTGRES=server requires the real server (the run ends with one line saying what to install
 * when there is none; .ci/run sets it), `pglite` forces PGlite, unset takes the real server when installed.
 *
 * ISOLATION. Every file (or whoever calls `createTestDatabase`) gets a database of its own: on the server a
 * `CREATE DATABASE` with a unique name; on PGlite an instance of its own, started from a template made once
 * per run, because PGlite is one session: `CREATE DATABASE` works but a connection's database name is
 * ignored (every connection lands in the same database), and `search_path` would be shared by every
 * connection. Either way `CREATE EXTENSION vector` is done. Within a file, `knowledge()` gives each test a
 * knowledge-base name of its own, which the stores key every row on.
 *
 * PGLITE'S LIMITS (read from pglite-socket 0.2.17's source, and tried). Its socket server accepts ONE
 * connection by default; a second is answered "Too many connections" in plain text and closed, which pg
 * reports as "read ECONNRESET": a pg.Pool of more than one connection fails as soon as two queries overlap.
 * With `maxConnections` raised (we use PGLITE_MAX_CONNECTIONS) the connections are multiplexed onto the one
 * PGlite session: statements run one at a time in arrival order; while one connection is in a transaction,
 * the others' statements wait until it ends; session state is shared (SET, prepared statement names,
 * temporary tables, and advisory locks: two connections both "get" the same one, being one backend). So on
 * PGlite nothing ever runs concurrently: no row lock is ever waited for, no serialization failure or
 * deadlock happens, and no advisory lock excludes anybody. A transaction that waits for another connection
 * of the pool would wait forever (llamadesk's code never does; Postgres.transaction says not to).
 *
 * TESTS THAT NEED A REAL SERVER (two writers racing, two replicas migrating, advisory locks across
 * connections) live in files named `*.server.test.ts` that call `requireRealServer()` first. They would
 * pass on PGlite for the wrong reason (nothing races), so they must not run there, and must not look green
 * either: the default vitest config leaves them out of a run on PGlite and the run says so in one line,
 * CI demands the real server (.ci/run installs it and sets LLAMADESK_TEST_POSTGRES=server). Named on the
 * command line, such a file is still left out (vitest finds no test file and fails); run on PGlite by
 * another config, it fails in `requireRealServer()`.
 *
 * USE (in a test file):
 *   const database = useTestDatabase();                           // a database for this file, made before its tests
 *   const postgres = await database.postgres();                   // openPostgres on it (migrated), shared by the file
 *   const store = await PostgresConversationStore.open({ postgres, knowledge: database.knowledge() });
 *   const url = (await database.database()).url;                 // for a second pool, a child process...
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { openPostgres, type OpenPostgresOptions } from "../../../src/postgres/openPostgres.js";
import type { Postgres } from "../../../src/postgres/Postgres.js";
import { startPgliteDatabase } from "./pgliteDatabase.js";
import "./ProvidedPostgres.js";

export interface TestDatabase {
  readonly engine: "server" | "pglite";
  /** postgresql://… of this database alone (no password: trust on loopback), with the vector extension. */
  readonly url: string;
  /** openPostgres on this database; quiet unless `options.log` is given. `dispose` closes it. */
  open(options?: OpenPostgresOptions): Promise<Postgres>;
  /** Closes what `open` opened and drops the database (stops the PGlite instance). */
  dispose(): Promise<void>;
}

/** A fresh database of its own on the run's engine. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const provided = inject("llamadeskPostgres");
  if (provided.engine === "none") {
    throw new Error("The global setup started no PostgreSQL: it starts one when a test file imports test/support/postgres/testDatabase.js itself. Import it from the test file.");
  }
  const opened: Postgres[] = [];
  const open = async (options: OpenPostgresOptions = {}) => {
    const postgres = await openPostgres(url, { log: () => undefined, ...options });
    opened.push(postgres);
    return postgres;
  };
  const closeOpened = async () => {
    for (const postgres of opened.splice(0)) await postgres.close();
  };
  let url: string;
  if (provided.engine === "pglite") {
    const instance = await startPgliteDatabase(provided.template);
    url = instance.url;
    const dispose = async () => {
      await closeOpened();
      await instance.stop();
    };
    return { engine: "pglite", url, open, dispose };
  }
  const name = `llamadesk_test_${randomBytes(6).toString("hex")}`;
  await withClient(provided.adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  url = provided.adminUrl.replace(/\/postgres$/, `/${name}`);
  await withClient(url, (client) => client.query("CREATE EXTENSION vector"));
  return {
    engine: "server",
    url,
    open,
    dispose: async () => {
      await closeOpened();
      await withClient(provided.adminUrl, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`));
    },
  };
}

export interface FileDatabase {
  /** The file's database; dropped after the file's tests. */
  database(): Promise<TestDatabase>;
  /** One openPostgres on the file's database, shared by the file's tests. */
  postgres(): Promise<Postgres>;
  /** A knowledge-base name no other call of this file gets: "kb-1", "kb-2"... */
  knowledge(): string;
}

/**
 * For a test file (call it at the top level, or in a describe): a database of its own, made and migrated
 * before the tests (a PGlite instance takes seconds to start, which belongs to the hook's time, not a test's).
 */
export function useTestDatabase(): FileDatabase {
  let database: Promise<TestDatabase> | undefined;
  let postgres: Promise<Postgres> | undefined;
  let names = 0;
  const file: FileDatabase = {
    database: () => (database ??= createTestDatabase()),
    postgres: () => (postgres ??= file.database().then((db) => db.open())),
    knowledge: () => `kb-${++names}`,
  };
  beforeAll(async () => {
    await file.postgres();
  });
  afterAll(async () => {
    if (database) await (await database).dispose();
  });
  return file;
}

/**
 * First thing in a `*.server.test.ts` file: its tests need connections that really run at once, which
 * PGlite does not have. On the real server it does nothing; otherwise it throws, failing the file.
 */
export function requireRealServer(): void {
  const provided = inject("llamadeskPostgres");
  if (provided.engine === "server") return;
  throw new Error(
    `This file needs a real PostgreSQL server (its tests race connections against each other), and this run uses ${provided.engine === "pglite" ? `PGlite (${provided.why})` : "no PostgreSQL"}. ` +
      "Install PostgreSQL and pgvector (LLAMADESK_TEST_POSTGRES=server demands them, as .ci/run does); on PGlite the default config leaves *.server.test.ts files out.",
  );
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

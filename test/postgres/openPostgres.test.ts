import { createServer } from "node:net";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { isLlamadeskError, type ErrorCode } from "../../src/errors.js";
import { currentVersion, migrate, type Migration } from "../../src/postgres/migrate.js";
import { MIGRATIONS } from "../../src/postgres/migrations/index.js";
import { openPostgres } from "../../src/postgres/openPostgres.js";
import { Postgres } from "../../src/postgres/Postgres.js";
import { parsePostgresUrl } from "../../src/postgres/postgresTarget.js";
import { createTestDatabase, useTestDatabase, type TestDatabase } from "../support/postgres/testDatabase.js";

/** For the tests that leave the schema as llamadesk makes it. */
const shared = useTestDatabase();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database of this test's own, for tests that change what its schema holds. */
async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  cleanups.push(() => database.dispose());
  return database;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isLlamadeskError(error, code), `expected a LlamadeskError ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

/** A Postgres on the database without llamadesk's migrations, to run migrate() with steps of the test's own. */
function unmigrated(url: string): Postgres {
  const postgres = new Postgres(new pg.Pool({ connectionString: url, max: 2 }), parsePostgresUrl(url));
  cleanups.push(() => postgres.close());
  return postgres;
}

async function tables(postgres: Postgres): Promise<string[]> {
  const { rows } = await postgres.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1");
  return rows.map((r) => r.name);
}

describe("openPostgres", () => {
  it("migrates a new database to the latest schema, saying so once per step, and finds nothing to do the next time", async () => {
    const database = await freshDatabase();
    const lines: string[] = [];
    const postgres = await database.open({ log: (line) => lines.push(line) });
    expect(lines).toEqual(MIGRATIONS.map((step) => expect.stringContaining(`to llamadesk schema version ${step.version} of ${MIGRATIONS.length}: ${step.name}`)));
    expect(lines[0]).toContain(postgres.where);
    expect(await tables(postgres)).toEqual(expect.arrayContaining(["llamadesk_migrations", "llamadesk_conversations", "llamadesk_turns", "llamadesk_review_candidates", "llamadesk_handoff_tickets"]));
    const { rows } = await postgres.query("SELECT version, name FROM llamadesk_migrations ORDER BY version");
    expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));

    const again: string[] = [];
    await database.open({ log: (line) => again.push(line) });
    expect(again).toEqual([]);
  });

  it("keys every llamadesk table on the knowledge base first, so bots of several share one database", async () => {
    const postgres = await shared.postgres();
    const { rows } = await postgres.query<{ table: string; first: string }>(
      `SELECT c.conrelid::regclass::text AS table, a.attname AS first
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       WHERE c.contype = 'p' AND c.conrelid::regclass::text LIKE 'llamadesk\\_%' AND c.conrelid::regclass::text <> 'llamadesk_migrations'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const row of rows) expect(row, row.table).toMatchObject({ first: "knowledge" });
  });

  it("refuses a database a newer llamadesk migrated, telling to upgrade, and writes nothing to it", async () => {
    const database = await freshDatabase();
    const postgres = await database.open();
    await postgres.query("INSERT INTO llamadesk_migrations (version, name) VALUES ($1, 'from the future')", [MIGRATIONS.length + 5]);
    const error = await expectCode(database.open(), "DATABASE_SCHEMA_NEWER");
    expect(error.message).toContain(`schema version ${MIGRATIONS.length + 5}`);
    expect(error.message).toContain(`up to ${MIGRATIONS.length}`);
    expect(error.message).toMatch(/Upgrade llamadesk/);
    expect((await postgres.query("SELECT count(*)::int AS n FROM llamadesk_migrations")).rows[0]).toEqual({ n: MIGRATIONS.length + 1 });
  });

  it("says which host and port it cannot reach, and never shows the password", async () => {
    const port = await closedPort();
    const url = `postgresql://bot:s3cret-pa55@127.0.0.1:${port}/support`;
    const error = await expectCode(openPostgres(url, { log: () => undefined }), "DATABASE_UNREACHABLE");
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain("support");
    expect(error.message).toMatch(/Check that the server is running/);
    expect(error.message).not.toContain("s3cret-pa55");
  });

  it("checks its URL and options without echoing the URL", async () => {
    const bad = await expectCode(openPostgres("mysql://bot:s3cret@db/support"), "INVALID_OPTION");
    expect(bad.message).not.toContain("s3cret");
    expect(bad.message).toContain("postgresql://");
    await expectCode(openPostgres("postgresql://db/support", { maxConnections: 0 }), "INVALID_OPTION");
    await expectCode(openPostgres("postgresql://db/support", { connectTimeoutMs: 1.5 }), "INVALID_OPTION");
  });

  it("fails calls after close with STORE_FAILED, and closes twice without complaint", async () => {
    const postgres = await (await shared.database()).open();
    await postgres.close();
    await postgres.close();
    expect((await expectCode(postgres.query("SELECT 1"), "STORE_FAILED")).message).toMatch(/closed/);
  });
});

describe("migrate", () => {
  const step = (version: number, sql: string): Migration => ({ version, name: `step ${version}`, sql });

  it("applies only the steps a database lacks, in order; a failing step changes nothing and keeps the ones before it", async () => {
    const postgres = unmigrated((await freshDatabase()).url);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = step(1, "CREATE TABLE first_table (id int PRIMARY KEY)");
    const broken = step(2, "CREATE TABLE second_table (id int PRIMARY KEY); INSERT INTO second_table VALUES (1), (1)");
    await expectCode(migrate(postgres, [first, broken], log), "STORE_FAILED");
    expect(await tables(postgres)).toEqual(["first_table", "llamadesk_migrations"]);
    expect(await postgres.transaction((client) => currentVersion(client))).toBe(1);

    lines.length = 0;
    expect(await migrate(postgres, [first, step(2, "CREATE TABLE second_table (id int PRIMARY KEY)")], log)).toBe(2);
    expect(lines).toEqual([expect.stringContaining("version 2 of 2: step 2")]);
    expect(await tables(postgres)).toEqual(["first_table", "llamadesk_migrations", "second_table"]);
  });

  it("refuses a list whose steps are not numbered 1, 2, 3...", async () => {
    // Checked before anything is read or written.
    const postgres = unmigrated((await shared.database()).url);
    const error = await migrate(postgres, [step(1, "SELECT 1"), step(3, "SELECT 1")], () => undefined).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/numbered 3 but is step 2/);
  });

  it("numbers llamadesk's own steps 1, 2, 3...", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

/** A loopback port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

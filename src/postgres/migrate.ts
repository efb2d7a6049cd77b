import type pg from "pg";
import { LlamadeskError } from "../errors.js";
import type { Postgres } from "./Postgres.js";

/** One step of llamadesk's PostgreSQL schema. Steps are only ever appended: a released step never changes. */
export interface Migration {
  /** 1, 2, 3...: the schema version a database is at once this step is applied. */
  version: number;
  /** What the step adds, for the log line: "conversations, review queue, handoff tickets, seen events". */
  name: string;
  /** The SQL statements of the step, applied in one transaction with its row in `llamadesk_migrations`. */
  sql: string;
}

/** Every replica takes this lock to migrate, so two starting at once never apply a step twice. */
const LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('llamadesk_migrations', 0))";

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE llamadesk_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Brings the database to the last of `migrations`, one transaction per step, each under an advisory lock:
 * a replica that starts meanwhile waits, then finds the step applied. Logs one line per step applied.
 * A database migrated further than `migrations` go is refused (DATABASE_SCHEMA_NEWER), not written to.
 * `applied` hears of each step this call applied, once it is committed (`llamadesk db migrate` lists them).
 *
 * @returns the schema version the database is at
 */
export async function migrate(
  postgres: Postgres,
  migrations: readonly Migration[],
  log: (line: string) => void,
  applied: (step: Migration) => void = () => undefined,
): Promise<number> {
  checkNumbering(migrations);
  const latest = migrations.length;
  for (;;) {
    const step = await postgres.transaction(async (client) => {
      await client.query(LOCK);
      const current = await currentVersion(client);
      if (current > latest) throw schemaNewer(postgres.where, current, latest);
      const next = migrations[current];
      if (!next) return undefined;
      log(`Migrating the PostgreSQL database ${postgres.where} to llamadesk schema version ${next.version} of ${latest}: ${next.name}.`);
      if (current === 0 && !(await hasMigrationsTable(client))) await client.query(CREATE_MIGRATIONS_TABLE);
      await client.query(next.sql);
      await client.query("INSERT INTO llamadesk_migrations (version, name) VALUES ($1, $2)", [next.version, next.name]);
      return next;
    });
    if (!step) return latest;
    applied(step);
  }
}

/** The schema version recorded in the database: 0 for one llamadesk never touched. */
export async function currentVersion(client: pg.ClientBase): Promise<number> {
  if (!(await hasMigrationsTable(client))) return 0;
  const { rows } = await client.query<{ version: number }>("SELECT coalesce(max(version), 0) AS version FROM llamadesk_migrations");
  return rows[0]!.version;
}

async function hasMigrationsTable(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>("SELECT to_regclass('llamadesk_migrations') IS NOT NULL AS found");
  return rows[0]!.found;
}

function checkNumbering(migrations: readonly Migration[]): void {
  migrations.forEach((step, i) => {
    if (step.version !== i + 1) throw new Error(`PostgreSQL migration "${step.name}" is numbered ${step.version} but is step ${i + 1}: number them 1, 2, 3... in order.`);
  });
}

function schemaNewer(where: string, current: number, latest: number): LlamadeskError {
  return new LlamadeskError(
    "DATABASE_SCHEMA_NEWER",
    `The PostgreSQL database ${where} is at llamadesk schema version ${current}, and this llamadesk knows versions up to ${latest}: a newer llamadesk migrated it. Upgrade llamadesk here to the version the other bots run; it does not write to a schema it does not know.`,
  );
}

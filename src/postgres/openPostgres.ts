import { LlamadeskError } from "../errors.js";
import { migrate } from "./migrate.js";
import { MIGRATIONS } from "./migrations/index.js";
import { Postgres } from "./Postgres.js";
import { toLlamadeskError } from "./postgresErrors.js";
import { parsePostgresUrl } from "./postgresTarget.js";

export interface OpenPostgresOptions {
  /** Most connections the pool opens at once. Defaults to 10. */
  maxConnections?: number;
  /** How long to wait for a connection (to open one, or for a busy pool to free one), in ms. Defaults to 10 000. */
  connectTimeoutMs?: number;
  /** Where the migration lines and failures of idle connections go. Defaults to stderr, each line prefixed "postgres: ". */
  log?: (line: string) => void;
  /**
   * Bring the database to this llamadesk's schema on open. Defaults to true. With false the database is only
   * connected to, as it is (`llamadesk db status` reports a database that is behind, or ahead, this way).
   */
  migrate?: boolean;
}

/**
 * Connects to the PostgreSQL database at `url` (`postgresql://user:password@host:5432/database`; pg's
 * `?sslmode=` and `?host=/socket/dir` apply) and brings it to this llamadesk's schema (see `migrate`; not with `migrate: false`).
 * The stores take the result; closing it is the caller's.
 *
 * Throws DATABASE_UNREACHABLE (naming host, port and what to check, never the password) when no connection
 * works, DATABASE_SCHEMA_NEWER when a newer llamadesk migrated the database, INVALID_OPTION for a bad URL.
 * pg is loaded only here, so llamadesk without a database never loads it.
 */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<Postgres> {
  const target = parsePostgresUrl(url);
  const maxConnections = options.maxConnections ?? 10;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  checkWhole("maxConnections", maxConnections, 1);
  checkWhole("connectTimeoutMs", connectTimeoutMs, 1);
  const log = options.log ?? ((line: string) => process.stderr.write(`postgres: ${line}\n`));

  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: connectTimeoutMs, application_name: "llamadesk" });
  // pg emits this for a connection that fails while idle in the pool (a server restart); unhandled, it would end the process.
  pool.on("error", (error) => log(toLlamadeskError(error, target).message));
  const postgres = new Postgres(pool, target);
  try {
    if (options.migrate === false) await postgres.query("SELECT 1");
    else await migrate(postgres, MIGRATIONS, log);
    return postgres;
  } catch (error) {
    await postgres.close().catch(() => undefined);
    throw toLlamadeskError(error, target);
  }
}

function checkWhole(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new LlamadeskError("INVALID_OPTION", `openPostgres: ${field} must be a whole number of at least ${min} (got ${value}).`);
}

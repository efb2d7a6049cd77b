import Database from "better-sqlite3";
import { LlamadeskError } from "../errors.js";

export interface OpenSqliteFileOptions {
  /** The database file, created if missing (its directory must exist); ":memory:" for a private in-memory database. */
  path: string;
  /** What the file holds, for messages: "review queue". */
  what: string;
  /** `application_id` marking the file as this kind of llamadesk file. */
  applicationId: number;
  /** `user_version`: a newer file is refused instead of misread. */
  schemaVersion: number;
  /** Creates the tables in a new, empty file. */
  schema: string;
  /** How the user points llamadesk at another file, for messages: `--queue, or "mining.queue" in the config file`. */
  elsewhere: string;
}

/**
 * Opens a llamadesk SQLite file (WAL, foreign keys on): creates the schema in a new file, accepts one
 * it made itself, and refuses a newer version or someone else's database without writing to it.
 */
export function openSqliteFile(options: OpenSqliteFileOptions): Database.Database {
  const { path, what } = options;
  if (typeof path !== "string" || path === "") {
    throw new LlamadeskError("INVALID_OPTION", `The ${what} path must be a file path or ":memory:" (got ${JSON.stringify(path)}).`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    // Safe with WAL: a power cut may lose the last commits, never corrupt the file.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    createOrCheckSchema(db, options);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof LlamadeskError) throw error;
    throw new LlamadeskError(
      "STORE_FAILED",
      `Cannot open the ${what} ${path}: ${(error as Error).message}. Check that its directory exists and that the file is a llamadesk ${what} this user may read and write.`,
      { cause: error },
    );
  }
}

function createOrCheckSchema(db: Database.Database, o: OpenSqliteFileOptions): void {
  // IMMEDIATE takes the write lock first, so two processes opening a new file cannot both create the schema.
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    const application = db.pragma("application_id", { simple: true }) as number;
    if (application === o.applicationId && version === o.schemaVersion) return;
    if (application === o.applicationId && version > o.schemaVersion) {
      throw new LlamadeskError(
        "STORE_FORMAT_UNSUPPORTED",
        `The ${o.what} ${o.path} has schema version ${version}, written by a newer llamadesk (this one reads version ${o.schemaVersion}). Upgrade llamadesk, or point it at another file (${o.elsewhere}).`,
      );
    }
    const objects = db.prepare("SELECT count(*) FROM sqlite_master").pluck().get() as number;
    if (objects > 0 || version !== 0) {
      throw new LlamadeskError(
        "STORE_FAILED",
        `${o.path} is a SQLite database but not a llamadesk ${o.what}. Point it at another file (${o.elsewhere}); llamadesk does not write into databases it did not create.`,
      );
    }
    db.exec(o.schema);
    db.pragma(`application_id = ${o.applicationId}`);
    db.pragma(`user_version = ${o.schemaVersion}`);
  }).immediate();
}

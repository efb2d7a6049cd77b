import { databaseOf, loadConfigFile } from "../configFile.js";
import { LlamadeskError } from "../errors.js";

/** The database a command that works only on PostgreSQL uses, and the knowledge base it names, if any. */
export interface RequiredDatabase {
  url: string;
  knowledge?: string;
}

/**
 * The database from `--database`, else the config file's `database`, else LLAMADESK_DATABASE_URL;
 * DATABASE_NOT_CONFIGURED, saying how to name one, when there is none.
 */
export async function requireDatabase(
  options: { database?: string | undefined; knowledge?: string | undefined; config?: string | undefined },
  command: string,
): Promise<RequiredDatabase> {
  const { config } = await loadConfigFile(options.config);
  const choice = databaseOf(options, config);
  if (!choice.url) {
    throw new LlamadeskError(
      "DATABASE_NOT_CONFIGURED",
      `\`llamadesk ${command}\` works on a PostgreSQL database, and none is configured. Name one with --database postgresql://user@host:5432/db, ` +
        'with "database" in llamadesk.config.json, or with the environment variable LLAMADESK_DATABASE_URL (best for a URL with a password).',
    );
  }
  return { url: choice.url, ...(choice.knowledge ? { knowledge: choice.knowledge } : {}) };
}

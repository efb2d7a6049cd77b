import type { DatabaseStatus, KnowledgeBaseStatus, SchemaStatus } from "../postgres/databaseStatus.js";
import { requireDatabase } from "./requireDatabase.js";

export interface DbCliOptions {
  /** `--database URL` (else the config file's `database`, else LLAMADESK_DATABASE_URL). */
  database?: string;
  config?: string;
  json?: boolean;
}

/**
 * `llamadesk db migrate`: brings the database to this llamadesk's schema, as any command does on first
 * use, and says which steps it applied (progress lines on stderr, as on first use).
 */
export async function dbMigrateCommand(options: DbCliOptions): Promise<number> {
  const { url } = await requireDatabase(options, "db migrate");
  const [{ openPostgres }, { migrate }, { MIGRATIONS }] = await Promise.all([
    import("../postgres/openPostgres.js"),
    import("../postgres/migrate.js"),
    import("../postgres/migrations/index.js"),
  ]);
  const postgres = await openPostgres(url, { migrate: false });
  try {
    const applied: { version: number; name: string }[] = [];
    const log = (line: string) => process.stderr.write(`postgres: ${line}\n`);
    const version = await migrate(postgres, MIGRATIONS, log, ({ version, name }) => {
      applied.push({ version, name });
      if (!options.json) process.stdout.write(`Applied llamadesk schema version ${version}: ${name}.\n`);
    });
    if (options.json) process.stdout.write(`${JSON.stringify({ database: postgres.where, applied, version })}\n`);
    else if (applied.length === 0) process.stdout.write(`PostgreSQL ${postgres.where} is up to date at llamadesk schema version ${version}.\n`);
    else process.stdout.write(`PostgreSQL ${postgres.where} is now at llamadesk schema version ${version}.\n`);
    return 0;
  } finally {
    await postgres.close();
  }
}

/**
 * `llamadesk db status`: the database's schema version against this llamadesk's, and what each knowledge
 * base holds. Changes nothing: a database that is behind is reported, not migrated; one that is ahead too.
 */
export async function dbStatusCommand(options: DbCliOptions): Promise<number> {
  const { url } = await requireDatabase(options, "db status");
  const [{ openPostgres }, { readDatabaseStatus }] = await Promise.all([import("../postgres/openPostgres.js"), import("../postgres/databaseStatus.js")]);
  const postgres = await openPostgres(url, { migrate: false });
  try {
    const status = await readDatabaseStatus(postgres);
    process.stdout.write(options.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
    return 0;
  } finally {
    await postgres.close();
  }
}

export function formatStatus(status: DatabaseStatus): string {
  const lines = [`Database: ${status.database}`, `Schema:   ${formatSchema(status.schema)}`];
  for (const step of status.schema.pending) lines.push(`            ${step.version}  ${step.name}`);
  lines.push("");
  if (status.knowledgeBases.length === 0) {
    lines.push(
      "Knowledge bases: none yet. Build one with `llamadesk ingest <your FAQ files> --database <url>`, or copy a local index with `llamadesk migrate-to-postgres --database <url>`.",
    );
  } else {
    lines.push("Knowledge bases:", ...table(status.knowledgeBases).map((row) => `  ${row}`));
  }
  return `${lines.join("\n")}\n`;
}

function formatSchema({ version, latest, pending, newer }: SchemaStatus): string {
  if (newer) return `version ${version}, newer than this llamadesk's ${latest}: a newer llamadesk migrated it. Upgrade llamadesk here; it does not write to a schema it does not know.`;
  if (pending.length === 0) return `version ${version}, up to date.`;
  const at = version === 0 ? "none yet" : `version ${version}`;
  const steps = pending.length === 1 ? "1 step" : `${pending.length} steps`;
  return `${at}, this llamadesk's is ${latest}: ${steps} pending. \`llamadesk db migrate\` applies them (so does any other command on first use):`;
}

const COLUMNS: [header: string, cell: (kb: KnowledgeBaseStatus) => string, alignRight: boolean][] = [
  ["NAME", (kb) => kb.name, false],
  ["EMBEDDER", (kb) => (kb.embedder ? `${kb.embedder.id} (${kb.embedder.dimensions}-d)` : "-"), false],
  ["DOCS", (kb) => String(kb.docs), true],
  ["CHUNKS", (kb) => String(kb.chunks), true],
  ["LAST CHANGE", (kb) => kb.updatedAt ?? "-", false],
  ["CONVERSATIONS", (kb) => String(kb.conversations), true],
  ["PENDING REVIEW", (kb) => String(kb.pendingReview), true],
  ["TICKETS", (kb) => String(kb.tickets), true],
];

function table(bases: readonly KnowledgeBaseStatus[]): string[] {
  const rows = [COLUMNS.map(([header]) => header), ...bases.map((kb) => COLUMNS.map(([, cell]) => cell(kb)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (COLUMNS[i]![2] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

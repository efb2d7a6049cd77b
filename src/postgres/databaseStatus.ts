import type { EmbedderIdentity } from "../knowledge/KnowledgeStore.js";
import { currentVersion, type Migration } from "./migrate.js";
import { MIGRATIONS } from "./migrations/index.js";
import type { Postgres } from "./Postgres.js";

/** Where a database's schema stands against this llamadesk's. */
export interface SchemaStatus {
  /** The version the database is at: 0 for one llamadesk never touched. */
  version: number;
  /** The latest version this llamadesk knows. */
  latest: number;
  /** Steps this llamadesk would apply, in order (none when the database is ahead). */
  pending: { version: number; name: string }[];
  /** A newer llamadesk migrated it: this one does not write to it. */
  newer: boolean;
}

/** One knowledge base in the database, with the state kept under its name. */
export interface KnowledgeBaseStatus {
  name: string;
  /** Undefined when only state (conversations, tickets...) is kept under the name, no knowledge. */
  embedder?: EmbedderIdentity;
  docs: number;
  chunks: number;
  /** Bumped by every change of the knowledge. */
  version: number;
  /** ISO 8601: the last change of the knowledge. */
  updatedAt?: string;
  conversations: number;
  /** Review candidates waiting for a reviewer. */
  pendingReview: number;
  tickets: number;
}

export interface DatabaseStatus {
  /** `host:port/database`. */
  database: string;
  schema: SchemaStatus;
  /** By name. */
  knowledgeBases: KnowledgeBaseStatus[];
}

/**
 * Reads where a database stands without changing it: its schema version against `migrations`, and what
 * each knowledge base holds. Works on a database at any version, behind or ahead: a table the database
 * does not have yet counts as empty.
 */
export async function readDatabaseStatus(postgres: Postgres, migrations: readonly Migration[] = MIGRATIONS): Promise<DatabaseStatus> {
  const { version, tables } = await postgres.transaction(async (client) => {
    const { rows } = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'llamadesk\\_%'");
    return { version: await currentVersion(client), tables: new Set(rows.map((r) => r.name)) };
  });
  const latest = migrations.length;
  const schema: SchemaStatus = {
    version,
    latest,
    pending: migrations.filter((step) => step.version > version).map(({ version, name }) => ({ version, name })),
    newer: version > latest,
  };

  const bases = new Map<string, KnowledgeBaseStatus>();
  const base = (name: string) => {
    let found = bases.get(name);
    if (!found) bases.set(name, (found = { name, docs: 0, chunks: 0, version: 0, conversations: 0, pendingReview: 0, tickets: 0 }));
    return found;
  };
  if (tables.has("llamadesk_knowledge")) {
    const { rows } = await postgres.query<{ knowledge: string; embedder_id: string; dimensions: number; version: string; chunk_count: number; updated_at: Date }>(
      "SELECT knowledge, embedder_id, dimensions, version, chunk_count, updated_at FROM llamadesk_knowledge",
    );
    for (const row of rows) {
      Object.assign(base(row.knowledge), {
        embedder: { id: row.embedder_id, dimensions: row.dimensions },
        chunks: row.chunk_count,
        version: Number(row.version),
        updatedAt: row.updated_at.toISOString(),
      });
    }
  }
  const counted: [table: string, field: "docs" | "conversations" | "pendingReview" | "tickets", where?: string][] = [
    ["llamadesk_docs", "docs"],
    ["llamadesk_conversations", "conversations"],
    ["llamadesk_review_candidates", "pendingReview", "status = 'pending'"],
    ["llamadesk_handoff_tickets", "tickets"],
  ];
  for (const [table, field, where] of counted) {
    if (!tables.has(table)) continue;
    const { rows } = await postgres.query<{ knowledge: string; n: string }>(`SELECT knowledge, count(*) AS n FROM ${table} ${where ? `WHERE ${where} ` : ""}GROUP BY knowledge`);
    for (const row of rows) base(row.knowledge)[field] = Number(row.n);
  }
  const knowledgeBases = [...bases.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, embedder, docs, chunks, version, updatedAt, conversations, pendingReview, tickets }) => ({
      name,
      ...(embedder ? { embedder } : {}),
      docs,
      chunks,
      version,
      ...(updatedAt ? { updatedAt } : {}),
      conversations,
      pendingReview,
      tickets,
    }));
  return { database: postgres.where, schema, knowledgeBases };
}

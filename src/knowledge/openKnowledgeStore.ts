import type { Postgres } from "../postgres/Postgres.js";
import type { KnowledgeStore } from "./KnowledgeStore.js";
import { LocalKnowledgeStore, type LocalKnowledgeStoreOptions } from "./LocalKnowledgeStore.js";

export interface OpenKnowledgeStoreOptions extends Omit<LocalKnowledgeStoreOptions, "dir"> {
  /** The local index directory, used when no database is given. */
  indexDir: string;
  /**
   * A PostgreSQL database: a URL (opened here and closed with the store) or one already open (left open).
   * Defaults to none: the local index directory.
   */
  database?: string | Postgres | undefined;
  /** The knowledge base's name in the database. Defaults to "default". */
  knowledge?: string | undefined;
}

/**
 * Opens the configured knowledge store: the one place that chooses an implementation. Every command
 * and the bot presets open knowledge through it. The PostgreSQL code (and pg) load only when a
 * database is configured.
 */
export async function openKnowledgeStore(options: OpenKnowledgeStoreOptions): Promise<KnowledgeStore> {
  const { indexDir, database, knowledge, pollMs, ...rest } = options;
  if (database === undefined) return LocalKnowledgeStore.open({ dir: indexDir, ...rest, ...(pollMs ? { pollMs } : {}) });
  const [{ openPostgres }, { PostgresKnowledgeStore }] = await Promise.all([import("../postgres/openPostgres.js"), import("../postgres/PostgresKnowledgeStore.js")]);
  const postgres = typeof database === "string" ? await openPostgres(database) : database;
  try {
    return await PostgresKnowledgeStore.open({
      postgres,
      ownsDatabase: typeof database === "string",
      ...(knowledge ? { knowledge } : {}),
      ...(rest.embedder ? { embedder: rest.embedder } : {}),
      ...(rest.create ? { create: true } : {}),
      ...(rest.rebuild ? { rebuild: true } : {}),
      ...(rest.hnsw?.efSearch ? { efSearch: rest.hnsw.efSearch } : {}),
      ...(pollMs ? { pollMs } : {}),
    });
  } catch (error) {
    if (typeof database === "string") await postgres.close();
    throw error;
  }
}

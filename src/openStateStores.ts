import type { ReviewQueue } from "./mining/ReviewQueue.js";
import type { Postgres } from "./postgres/Postgres.js";
import type { ConversationStore } from "./store/ConversationStore.js";
import type { HandoffTicketStore } from "./store/HandoffTicketStore.js";

/**
 * Where a store lives: a file (the embedded default), or a PostgreSQL database already open (shared by the
 * stores of one process) with the knowledge base the rows belong to. The store never closes the database.
 */
export interface StateStoreLocation {
  /** The SQLite file (or ":memory:"), used when there is no database. */
  path: string;
  postgres?: Postgres | undefined;
  knowledge?: string | undefined;
}

/** The conversation store: PostgreSQL when a database is given, else the SQLite file. */
export async function openConversationStore(where: StateStoreLocation): Promise<ConversationStore> {
  if (where.postgres) {
    const { PostgresConversationStore } = await import("./postgres/PostgresConversationStore.js");
    return PostgresConversationStore.open({ postgres: where.postgres, ...(where.knowledge ? { knowledge: where.knowledge } : {}) });
  }
  const { SqliteConversationStore } = await import("./store/SqliteConversationStore.js");
  return SqliteConversationStore.open({ path: where.path });
}

/** The review queue: PostgreSQL when a database is given, else the SQLite file. */
export async function openReviewQueue(where: StateStoreLocation): Promise<ReviewQueue> {
  if (where.postgres) {
    const { PostgresReviewQueue } = await import("./postgres/PostgresReviewQueue.js");
    return PostgresReviewQueue.open({ postgres: where.postgres, ...(where.knowledge ? { knowledge: where.knowledge } : {}) });
  }
  const { SqliteReviewQueue } = await import("./mining/SqliteReviewQueue.js");
  return SqliteReviewQueue.open({ path: where.path });
}

/** The handoff ticket store: PostgreSQL when a database is given, else the SQLite file. */
export async function openHandoffTicketStore(where: StateStoreLocation): Promise<HandoffTicketStore> {
  if (where.postgres) {
    const { PostgresHandoffTicketStore } = await import("./postgres/PostgresHandoffTicketStore.js");
    return PostgresHandoffTicketStore.open({ postgres: where.postgres, ...(where.knowledge ? { knowledge: where.knowledge } : {}) });
  }
  const { SqliteHandoffTicketStore } = await import("./store/SqliteHandoffTicketStore.js");
  return SqliteHandoffTicketStore.open({ path: where.path });
}

/** Opens the database when a URL is given (closed by the caller), else nothing: stores use their files. */
export async function openDatabase(url: string | undefined): Promise<Postgres | undefined> {
  if (url === undefined) return undefined;
  const { openPostgres } = await import("./postgres/openPostgres.js");
  return openPostgres(url);
}

import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { LlamadeskError } from "../errors.js";
import { storeClosed } from "./ConversationStore.js";
import {
  checkNewTicket,
  checkWebhookStatus,
  ticketNotFound,
  type HandoffTicket,
  type HandoffTicketStore,
  type NewHandoffTicket,
  type WebhookStatus,
} from "./HandoffTicketStore.js";

export interface SqliteHandoffTicketStoreOptions {
  /** The database file, created if missing (its directory must exist); ":memory:" for a private in-memory database. */
  path: string;
  /** Clock for `createdAt`. Defaults to the system clock. */
  now?: () => Date;
}

/** Kept in the file's `user_version`, so a newer file is refused instead of misread. */
const SCHEMA_VERSION = 1;
/** `application_id`: marks the file as a llamadesk ticket store ("LDTK"). */
const APPLICATION_ID = 0x4c44544b;

const SCHEMA = `
CREATE TABLE tickets (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at TEXT NOT NULL,
  webhook TEXT NOT NULL CHECK (webhook IN ('none', 'pending', 'sent', 'failed')),
  webhook_error TEXT
);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id, seq);
`;

const COLUMNS = "id, conversation_id AS conversationId, name, email, message, created_at AS createdAt, webhook, webhook_error AS webhookError";

interface TicketRow extends Omit<HandoffTicket, "webhookError"> {
  webhookError: string | null;
}

/** The default HandoffTicketStore: one SQLite file (better-sqlite3), beside the conversation store. */
export class SqliteHandoffTicketStore implements HandoffTicketStore {
  private constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {}

  /** Opens (or creates) the file and checks that it is a ticket store of a version this llamadesk reads. */
  static async open(options: SqliteHandoffTicketStoreOptions): Promise<SqliteHandoffTicketStore> {
    const path = options?.path;
    if (typeof path !== "string" || path === "") {
      throw new LlamadeskError("INVALID_OPTION", `SqliteHandoffTicketStore: path must be a file path or ":memory:" (got ${JSON.stringify(path)}).`);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      createOrCheckSchema(db, path);
      return new SqliteHandoffTicketStore(db, options.now ?? (() => new Date()));
    } catch (error) {
      db?.close();
      if (error instanceof LlamadeskError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new LlamadeskError(
        "STORE_FAILED",
        `Cannot open the handoff ticket store ${path}: ${message}. Check that the path names a SQLite file (or a new file in an existing directory) that this user may read and write.`,
        { cause: error },
      );
    }
  }

  async create(input: NewHandoffTicket): Promise<HandoffTicket> {
    this.assertOpen();
    checkNewTicket(input);
    const ticket: HandoffTicket = {
      id: randomUUID(),
      conversationId: input.conversationId,
      name: input.name,
      email: input.email,
      message: input.message,
      createdAt: this.now().toISOString(),
      webhook: input.webhook ?? "none",
    };
    this.db
      .prepare("INSERT INTO tickets (id, conversation_id, name, email, message, created_at, webhook) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(ticket.id, ticket.conversationId, ticket.name, ticket.email, ticket.message, ticket.createdAt, ticket.webhook);
    return ticket;
  }

  async get(id: string): Promise<HandoffTicket | undefined> {
    this.assertOpen();
    const row = this.db.prepare<[string], TicketRow>(`SELECT ${COLUMNS} FROM tickets WHERE id = ?`).get(id);
    return row && toTicket(row);
  }

  async list(options: { conversationId?: string } = {}): Promise<HandoffTicket[]> {
    this.assertOpen();
    const rows =
      options.conversationId === undefined
        ? this.db.prepare<[], TicketRow>(`SELECT ${COLUMNS} FROM tickets ORDER BY seq DESC`).all()
        : this.db.prepare<[string], TicketRow>(`SELECT ${COLUMNS} FROM tickets WHERE conversation_id = ? ORDER BY seq DESC`).all(options.conversationId);
    return rows.map(toTicket);
  }

  async setWebhookStatus(id: string, status: "sent" | "failed", error?: string): Promise<HandoffTicket> {
    this.assertOpen();
    checkWebhookStatus(status);
    const row = this.db
      .prepare<[WebhookStatus, string | null, string], TicketRow>(`UPDATE tickets SET webhook = ?, webhook_error = ? WHERE id = ? RETURNING ${COLUMNS}`)
      .get(status, status === "failed" ? (error ?? null) : null, id);
    if (!row) throw ticketNotFound(id);
    return toTicket(row);
  }

  async dispose(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.open) throw storeClosed("SqliteHandoffTicketStore");
  }
}

function createOrCheckSchema(db: Database.Database, path: string): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    const application = db.pragma("application_id", { simple: true }) as number;
    if (application === APPLICATION_ID && version === SCHEMA_VERSION) return;
    if (application === APPLICATION_ID && version > SCHEMA_VERSION) {
      throw new LlamadeskError(
        "STORE_FORMAT_UNSUPPORTED",
        `The handoff ticket store ${path} has schema version ${version}, written by a newer llamadesk (this one reads version ${SCHEMA_VERSION}). Upgrade llamadesk, or point the store at another file.`,
      );
    }
    const objects = db.prepare("SELECT count(*) FROM sqlite_master").pluck().get() as number;
    if (objects > 0) {
      throw new LlamadeskError(
        "STORE_FAILED",
        `${path} is a SQLite database but not a llamadesk handoff ticket store. Point the ticket store at another file; llamadesk does not write into databases it did not create.`,
      );
    }
    db.exec(SCHEMA);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function toTicket(row: TicketRow): HandoffTicket {
  const { webhookError, ...ticket } = row;
  return webhookError === null ? ticket : { ...ticket, webhookError };
}

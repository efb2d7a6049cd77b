import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { storeClosed } from "./ConversationStore.js";
import { openSqliteFile } from "./openSqliteFile.js";
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
    const db = openSqliteFile({
      path: options?.path,
      what: "handoff ticket store",
      applicationId: APPLICATION_ID,
      schemaVersion: SCHEMA_VERSION,
      schema: SCHEMA,
      elsewhere: '"web.tickets" in the config file',
    });
    return new SqliteHandoffTicketStore(db, options.now ?? (() => new Date()));
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

function toTicket(row: TicketRow): HandoffTicket {
  const { webhookError, ...ticket } = row;
  return webhookError === null ? ticket : { ...ticket, webhookError };
}

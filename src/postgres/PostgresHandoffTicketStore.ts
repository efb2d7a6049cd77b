import { randomUUID } from "node:crypto";
import { storeClosed } from "../store/ConversationStore.js";
import {
  checkNewTicket,
  checkWebhookStatus,
  ticketNotFound,
  type HandoffTicket,
  type HandoffTicketStore,
  type NewHandoffTicket,
  type WebhookStatus,
} from "../store/HandoffTicketStore.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface PostgresHandoffTicketStoreOptions {
  /** The database, from `openPostgres`; the store leaves it open when disposed. */
  postgres: Postgres;
  /** The knowledge base whose tickets these are. Defaults to "default". */
  knowledge?: string;
  /** Clock for `createdAt`. Defaults to the system clock. */
  now?: () => Date;
}

const COLUMNS = "id, conversation_id, name, email, message, created_at, webhook, webhook_error";

interface TicketRow {
  id: string;
  conversation_id: string;
  name: string;
  email: string;
  message: string;
  created_at: Date;
  webhook: WebhookStatus;
  webhook_error: string | null;
}

/** A HandoffTicketStore in PostgreSQL, for web servers on several machines sharing one database. */
export class PostgresHandoffTicketStore implements HandoffTicketStore {
  private disposed = false;

  private constructor(
    private readonly db: Postgres,
    private readonly knowledge: string,
    private readonly now: () => Date,
  ) {}

  /** A store for one knowledge base's tickets in a database `openPostgres` opened. */
  static async open(options: PostgresHandoffTicketStoreOptions): Promise<PostgresHandoffTicketStore> {
    return new PostgresHandoffTicketStore(options.postgres, knowledgeNameOf("PostgresHandoffTicketStore", options.knowledge), options.now ?? (() => new Date()));
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
    await this.db.query(
      "INSERT INTO llamadesk_handoff_tickets (knowledge, id, conversation_id, name, email, message, created_at, webhook) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      [this.knowledge, ticket.id, ticket.conversationId, ticket.name, ticket.email, ticket.message, ticket.createdAt, ticket.webhook],
    );
    return ticket;
  }

  async get(id: string): Promise<HandoffTicket | undefined> {
    this.assertOpen();
    const { rows } = await this.db.query<TicketRow>(`SELECT ${COLUMNS} FROM llamadesk_handoff_tickets WHERE knowledge = $1 AND id = $2`, [this.knowledge, id]);
    return rows[0] && toTicket(rows[0]);
  }

  async list(options: { conversationId?: string } = {}): Promise<HandoffTicket[]> {
    this.assertOpen();
    const { rows } = await this.db.query<TicketRow>(
      `SELECT ${COLUMNS} FROM llamadesk_handoff_tickets WHERE knowledge = $1 AND ($2::text IS NULL OR conversation_id = $2) ORDER BY seq DESC`,
      [this.knowledge, options.conversationId ?? null],
    );
    return rows.map(toTicket);
  }

  async setWebhookStatus(id: string, status: "sent" | "failed", error?: string): Promise<HandoffTicket> {
    this.assertOpen();
    checkWebhookStatus(status);
    const { rows } = await this.db.query<TicketRow>(
      `UPDATE llamadesk_handoff_tickets SET webhook = $3, webhook_error = $4 WHERE knowledge = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [this.knowledge, id, status, status === "failed" ? (error ?? null) : null],
    );
    if (!rows[0]) throw ticketNotFound(id);
    return toTicket(rows[0]);
  }

  /** Marks the store closed; the database stays open for whoever opened it. */
  async dispose(): Promise<void> {
    this.disposed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private assertOpen(): void {
    if (this.disposed) throw storeClosed("PostgresHandoffTicketStore");
  }
}

function toTicket(row: TicketRow): HandoffTicket {
  const ticket: HandoffTicket = {
    id: row.id,
    conversationId: row.conversation_id,
    name: row.name,
    email: row.email,
    message: row.message,
    createdAt: row.created_at.toISOString(),
    webhook: row.webhook,
  };
  return row.webhook_error === null ? ticket : { ...ticket, webhookError: row.webhook_error };
}

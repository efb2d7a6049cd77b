import { randomUUID } from "node:crypto";
import { storeClosed } from "./ConversationStore.js";
import { checkNewTicket, checkWebhookStatus, ticketNotFound, type HandoffTicket, type HandoffTicketStore, type NewHandoffTicket } from "./HandoffTicketStore.js";

export interface MemoryHandoffTicketStoreOptions {
  /** Clock for `createdAt`. Defaults to the system clock. */
  now?: () => Date;
}

/** Handoff tickets in a map: for tests and throwaway demos. Returns copies. */
export class MemoryHandoffTicketStore implements HandoffTicketStore {
  private readonly now: () => Date;
  /** In creation order. */
  private readonly tickets = new Map<string, HandoffTicket>();
  private disposed = false;

  constructor(options: MemoryHandoffTicketStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async create(input: NewHandoffTicket): Promise<HandoffTicket> {
    this.assertOpen();
    checkNewTicket(input);
    const { conversationId, name, email, message } = input;
    const ticket: HandoffTicket = { id: randomUUID(), conversationId, name, email, message, createdAt: this.now().toISOString(), webhook: input.webhook ?? "none" };
    this.tickets.set(ticket.id, ticket);
    return structuredClone(ticket);
  }

  async get(id: string): Promise<HandoffTicket | undefined> {
    this.assertOpen();
    const ticket = this.tickets.get(id);
    return ticket && structuredClone(ticket);
  }

  async list(options: { conversationId?: string } = {}): Promise<HandoffTicket[]> {
    this.assertOpen();
    const all = [...this.tickets.values()].reverse();
    return structuredClone(options.conversationId === undefined ? all : all.filter((t) => t.conversationId === options.conversationId));
  }

  async setWebhookStatus(id: string, status: "sent" | "failed", error?: string): Promise<HandoffTicket> {
    this.assertOpen();
    checkWebhookStatus(status);
    const ticket = this.tickets.get(id);
    if (!ticket) throw ticketNotFound(id);
    ticket.webhook = status;
    if (status === "failed" && error !== undefined) ticket.webhookError = error;
    else delete ticket.webhookError;
    return structuredClone(ticket);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private assertOpen(): void {
    if (this.disposed) throw storeClosed("MemoryHandoffTicketStore");
  }
}

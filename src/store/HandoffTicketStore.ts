import { LlamadeskError } from "../errors.js";

/** What a customer leaves when they ask for a human: who they are, how to reach them, what they need. */
export interface NewHandoffTicket {
  /** The conversation the customer was in; its transcript goes with the ticket. */
  conversationId: string;
  name: string;
  email: string;
  message: string;
  /** Whether a webhook will be told about the ticket: `pending` until it is, `none` when there is no webhook. Defaults to `none`. */
  webhook?: "none" | "pending";
}

/** Where telling the webhook stands: `none` (no webhook configured), `pending`, `sent`, or `failed` (see `webhookError`). */
export type WebhookStatus = "none" | "pending" | "sent" | "failed";

export interface HandoffTicket {
  id: string;
  conversationId: string;
  name: string;
  email: string;
  message: string;
  /** ISO 8601. */
  createdAt: string;
  webhook: WebhookStatus;
  /** Why the webhook failed, when it did. */
  webhookError?: string;
}

/**
 * Handoff tickets: the requests for a human that the web widget's form sends. The store keeps them
 * (the webhook is a notification, not the record), so a failed webhook loses nothing.
 */
export interface HandoffTicketStore {
  create(ticket: NewHandoffTicket): Promise<HandoffTicket>;
  get(id: string): Promise<HandoffTicket | undefined>;
  /** Newest first; only the conversation's when `conversationId` is given. */
  list(options?: { conversationId?: string }): Promise<HandoffTicket[]>;
  /** Records how telling the webhook went; throws INVALID_OPTION for an unknown id. */
  setWebhookStatus(id: string, status: "sent" | "failed", error?: string): Promise<HandoffTicket>;
  /** Closes the store; calling it again does nothing, any other call afterwards throws STORE_FAILED. */
  dispose(): Promise<void>;
}

/** Checks both stores share, so they reject the same input with the same message. */
export function checkNewTicket(ticket: NewHandoffTicket): void {
  for (const field of ["conversationId", "name", "email", "message"] as const) {
    if (typeof ticket?.[field] !== "string" || ticket[field].trim() === "") invalid(`${field} must be a non-empty string (got ${JSON.stringify(ticket?.[field])})`);
  }
  if (ticket.webhook !== undefined && ticket.webhook !== "none" && ticket.webhook !== "pending") {
    invalid(`webhook must be "none" or "pending" (got ${JSON.stringify(ticket.webhook)})`);
  }
}

export function checkWebhookStatus(status: string): void {
  if (status !== "sent" && status !== "failed") invalid(`status must be "sent" or "failed" (got ${JSON.stringify(status)})`);
}

export function ticketNotFound(id: string): LlamadeskError {
  return new LlamadeskError("INVALID_OPTION", `HandoffTicketStore: no ticket "${id}".`);
}

function invalid(problem: string): never {
  throw new LlamadeskError("INVALID_OPTION", `HandoffTicketStore: ${problem}.`);
}

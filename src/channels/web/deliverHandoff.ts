import type { Bot } from "../../bot.js";
import type { HandoffTicket, HandoffTicketStore } from "../../store/HandoffTicketStore.js";
import { toWidgetTurn, type WidgetTurn } from "./widgetEvents.js";

/** What the handoff webhook receives (POST, JSON). */
export interface HandoffWebhookPayload {
  type: "llamadesk.handoff";
  ticket: HandoffTicket;
  /** The conversation so far, oldest first. */
  transcript: WidgetTurn[];
}

export interface DeliverHandoffOptions {
  url: string;
  bot: Bot;
  tickets: HandoffTicketStore;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Give up after this long. Defaults to 10 s. */
  timeoutMs?: number;
}

/**
 * POSTs the ticket and its transcript to the webhook and records on the ticket how it went (`sent`, or
 * `failed` with the reason). Never throws: the ticket is already stored, the webhook only tells someone.
 */
export async function deliverHandoff(ticket: HandoffTicket, options: DeliverHandoffOptions): Promise<HandoffTicket> {
  const doFetch = options.fetch ?? fetch;
  let problem: string | undefined;
  try {
    const transcript = (await options.bot.history(ticket.conversationId)).map(toWidgetTurn);
    const payload: HandoffWebhookPayload = { type: "llamadesk.handoff", ticket: { ...ticket, webhook: "pending" }, transcript };
    const response = await doFetch(options.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "llamadesk" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    await response.body?.cancel();
    if (!response.ok) problem = `the webhook answered HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    problem = `the webhook could not be reached: ${error instanceof Error ? error.message : String(error)}${typeof cause === "string" ? ` (${cause})` : ""}`;
  }
  return options.tickets.setWebhookStatus(ticket.id, problem === undefined ? "sent" : "failed", problem).catch(() => ticket);
}

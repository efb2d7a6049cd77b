import type { HandoffTicket } from "../store/HandoffTicketStore.js";
import type { CopyCounts } from "./copyConversations.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface CopyHandoffTicketsOptions {
  postgres: Postgres;
  /** The knowledge base the tickets belong to. Defaults to "default". */
  knowledge?: string | undefined;
  /** Every ticket, newest first, as `HandoffTicketStore.list()` gives them: they keep that order. */
  tickets: readonly HandoffTicket[];
}

/**
 * Writes handoff tickets into PostgreSQL as they are (ids, times, webhook status and error kept). A ticket
 * already there is left as it is, so running it again copies only what is new.
 */
export async function copyHandoffTickets(options: CopyHandoffTicketsOptions): Promise<CopyCounts> {
  const knowledge = knowledgeNameOf("copyHandoffTickets", options.knowledge);
  // Oldest first, so they take their seq (list's order) in the order they had.
  const tickets = [...options.tickets].reverse();
  if (tickets.length === 0) return { total: 0, copied: 0 };
  const { rowCount } = await options.postgres.query(
    `INSERT INTO llamadesk_handoff_tickets (knowledge, id, conversation_id, name, email, message, created_at, webhook, webhook_error)
     SELECT $1, x.id, x.conversation_id, x.name, x.email, x.message, x.created_at, x.webhook, x.webhook_error
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[]) WITH ORDINALITY
       AS x(id, conversation_id, name, email, message, created_at, webhook, webhook_error, n)
     ORDER BY x.n
     ON CONFLICT (knowledge, id) DO NOTHING`,
    [
      knowledge,
      tickets.map((t) => t.id),
      tickets.map((t) => t.conversationId),
      tickets.map((t) => t.name),
      tickets.map((t) => t.email),
      tickets.map((t) => t.message),
      tickets.map((t) => t.createdAt),
      tickets.map((t) => t.webhook),
      tickets.map((t) => t.webhookError ?? null),
    ],
  );
  return { total: tickets.length, copied: rowCount ?? 0 };
}

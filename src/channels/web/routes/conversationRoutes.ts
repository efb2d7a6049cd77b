import { Hono } from "hono";
import type { Bot } from "../../../bot.js";
import type { InFlight } from "../../InFlight.js";
import type { HandoffTicketStore } from "../../../store/HandoffTicketStore.js";
import type { ConversationIds } from "../ConversationIds.js";
import { deliverHandoff } from "../deliverHandoff.js";
import { checkRate } from "../guards.js";
import { HttpError } from "../HttpError.js";
import type { RateLimiter } from "../RateLimiter.js";
import { readJson } from "../readJson.js";
import type { RequestSchemas } from "../requestSchemas.js";
import { sseResponse } from "../sseResponse.js";
import { toWidgetTurn } from "../widgetEvents.js";
import type { WebEnv } from "../WebEnv.js";

export interface ConversationRoutesOptions {
  bot: Bot;
  tickets: HandoffTicketStore;
  ids: ConversationIds;
  schemas: RequestSchemas;
  perConversation: RateLimiter;
  /** Answers being streamed and webhook deliveries: the server lets them finish (or aborts them) when it stops. */
  inFlight: InFlight;
  handoffWebhook?: string | undefined;
  log: (line: string) => void;
}

/** `/api/conversations`: start one, read its history, ask (SSE), vote on an answer, ask for a human. */
export function conversationRoutes(options: ConversationRoutesOptions): Hono<WebEnv> {
  const { bot, tickets, ids, schemas } = options;
  const app = new Hono<WebEnv>();
  /** The conversation id of the path, checked: 404 for ids never issued (or of another form), without saying which. */
  const conversationOf = async (id: string): Promise<string> => {
    if (!(await ids.exists(id))) {
      throw new HttpError(404, "CONVERSATION_NOT_FOUND", "No such conversation: start one with POST /api/conversations and use the id it returns.");
    }
    return id;
  };

  app.post("/", async (c) => c.json({ id: await ids.issue() }, 201));

  app.get("/:id", async (c) => {
    const id = await conversationOf(c.req.param("id"));
    return c.json({ id, turns: (await bot.history(id)).map(toWidgetTurn) });
  });

  app.post("/:id/messages", async (c) => {
    const id = await conversationOf(c.req.param("id"));
    const { text } = await readJson(c, schemas.message);
    await checkRate(options.perConversation, id, "in this conversation");
    const work = options.inFlight.begin();
    if (!work) throw stopping();
    const controller = new AbortController();
    const clientGone = () => controller.abort(new Error("The client went away."));
    const serverStopping = () => controller.abort(work.signal.reason);
    c.req.raw.signal.addEventListener("abort", clientGone, { once: true });
    work.signal.addEventListener("abort", serverStopping, { once: true });
    const events = (async function* () {
      try {
        yield* bot.ask({ conversationId: id, text, channel: "web", signal: controller.signal });
      } finally {
        work.end();
        work.signal.removeEventListener("abort", serverStopping);
        c.req.raw.signal.removeEventListener("abort", clientGone);
      }
    })();
    return sseResponse(events, {
      controller,
      onProblem: (event) => {
        if (event.type === "notice" || event.code !== "ABORTED") options.log(`${event.type} [${event.code}] in ${shortId(id)}: ${event.message}`);
      },
    });
  });

  app.post("/:id/feedback", async (c) => {
    const id = await conversationOf(c.req.param("id"));
    const { turnId, vote, comment } = await readJson(c, schemas.feedback);
    const turn = (await bot.history(id)).find((t) => t.id === turnId);
    if (!turn || turn.role !== "assistant") {
      throw new HttpError(404, "TURN_NOT_FOUND", "No answer with that turnId in this conversation: vote on the turnId of a done or abstained event.");
    }
    // One vote per visitor and answer: the conversation id stands for the visitor.
    const counts = await bot.feedback({ turnId, userId: id, vote, ...(comment ? { comment } : {}) });
    return c.json({ turnId, vote, counts });
  });

  app.post("/:id/handoff", async (c) => {
    const id = await conversationOf(c.req.param("id"));
    const form = await readJson(c, schemas.handoff);
    const url = options.handoffWebhook;
    const ticket = await tickets.create({ conversationId: id, ...form, webhook: url ? "pending" : "none" });
    options.log(`handoff ticket ${ticket.id} in ${shortId(id)}`);
    if (url) {
      // Not aborted when the server stops: the delivery has its own timeout, and the ticket is kept either way.
      options.inFlight.spawn(
        async () => {
          const t = await deliverHandoff(ticket, { url, bot, tickets });
          if (t.webhook === "failed") options.log(`handoff ticket ${t.id}: ${t.webhookError ?? "webhook failed"}`);
        },
        (error) => options.log(`handoff ticket ${ticket.id}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    return c.json({ ticketId: ticket.id }, 201);
  });

  return app;
}

function stopping(): HttpError {
  return new HttpError(503, "SERVER_STOPPING", "The server is stopping: send the message again in a moment.", { "Retry-After": "5" });
}

/** Conversation ids are secrets (they read the conversation): logs get a prefix only. */
function shortId(id: string): string {
  return `${id.slice(0, 10)}…`;
}

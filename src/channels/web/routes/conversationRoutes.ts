import { Hono } from "hono";
import type { Bot } from "../../../bot.js";
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
  /** Asks in progress, aborted when the server stops. */
  inFlight: Set<AbortController>;
  /** Webhook deliveries in progress, awaited when the server stops. */
  deliveries: Set<Promise<unknown>>;
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
    const controller = new AbortController();
    options.inFlight.add(controller);
    const clientGone = () => controller.abort(new Error("The client went away."));
    c.req.raw.signal.addEventListener("abort", clientGone, { once: true });
    const events = (async function* () {
      try {
        yield* bot.ask({ conversationId: id, text, channel: "web", signal: controller.signal });
      } finally {
        options.inFlight.delete(controller);
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
      const delivery = deliverHandoff(ticket, { url, bot, tickets }).then((t) => {
        if (t.webhook === "failed") options.log(`handoff ticket ${t.id}: ${t.webhookError ?? "webhook failed"}`);
      });
      options.deliveries.add(delivery);
      void delivery.finally(() => options.deliveries.delete(delivery));
    }
    return c.json({ ticketId: ticket.id }, 201);
  });

  return app;
}

/** Conversation ids are secrets (they read the conversation): logs get a prefix only. */
function shortId(id: string): string {
  return `${id.slice(0, 10)}…`;
}

import { resolve } from "node:path";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { Bot } from "../../bot.js";
import { packageRoot } from "../../config.js";
import { LlamadeskError } from "../../errors.js";
import { InFlight } from "../InFlight.js";
import type { HandoffTicketStore } from "../../store/HandoffTicketStore.js";
import { ConversationIds } from "./ConversationIds.js";
import { apiKeyGuard, clientIp, originGuard, originPolicy, perIpLimit } from "./guards.js";
import { errorBody, HttpError } from "./HttpError.js";
import { requestSchemas } from "./requestSchemas.js";
import { adminRoutes, type AdminOptions } from "./admin/adminRoutes.js";
import { assetRoutes } from "./routes/assetRoutes.js";
import { conversationRoutes } from "./routes/conversationRoutes.js";
import { parseWebConfig, type WebConfig } from "./webConfig.js";
import type { WebEnv } from "./WebEnv.js";
import { MemoryWebState, type WebState } from "./WebState.js";

/** Where `npm run build` puts the widget bundle. */
export const DEFAULT_WIDGET_FILE = resolve(packageRoot, "dist/widget/widget.js");

export interface WebAppOptions {
  bot: Bot;
  /** Where handoff tickets go. */
  tickets: HandoffTicketStore;
  /** The `web` settings, checked (see `parseWebConfig`). Defaults to `parseWebConfig({})`: no other site's pages, default limits. */
  config?: WebConfig;
  /** The API key (the value of the variable `config.apiKeyEnv` names). Defaults to none. */
  apiKey?: string | undefined;
  /** Where handoff tickets are POSTed. Defaults to none. */
  handoffWebhook?: string | undefined;
  /** The widget bundle served at `/widget.js`. Defaults to `DEFAULT_WIDGET_FILE`. */
  widgetFile?: string;
  /**
   * Origins of this server's own pages (the demo) besides `config.publicUrl`'s: `WebChannel` passes where it listens,
   * once it does (see `listenOrigins`). Defaults to none.
   */
  ownOrigins?: () => readonly string[];
  /**
   * Where rate-limit buckets and issued conversation ids are kept. Defaults to a `MemoryWebState` (this process);
   * replicas behind a load balancer share a `PostgresWebState` (`llamadesk serve` picks it with a database).
   */
  state?: WebState;
  /** Clock in milliseconds, for the default state's rate limits and ids. Defaults to `Date.now`. */
  now?: () => number;
  /** The admin console at `/admin` (see `adminRoutes`). Defaults to none: `/admin` is not served. */
  admin?: AdminOptions | undefined;
  /** One line per noteworthy event (failed answers, tickets, webhook failures); never a secret. Defaults to stderr. */
  log?: (line: string) => void;
}

/** The web app and what the server needs to stop it cleanly. */
export interface WebApp {
  /** The hono app: `app.fetch` for a server, `app.request()` in tests. */
  app: Hono<WebEnv>;
  /**
   * The server is stopping: new messages get 503, answers being streamed have `graceMs` (default 0) to finish
   * before they are aborted; resolves once they and the webhook deliveries in progress have ended.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Resolves once the answers and webhook deliveries in progress now have ended, stopping nothing. */
  settled(): Promise<void>;
}

/**
 * The HTTP API and widget server: `/api/conversations/...` (JSON and Server-Sent Events), `/widget.js`, the demo
 * page `/` and `/healthz`. Every failure is a JSON `{ error: { code, message } }` with a 4xx/5xx status.
 */
export function createWebApp(options: WebAppOptions): WebApp {
  const config = options.config ?? parseWebConfig({});
  const log = options.log ?? ((line: string) => process.stderr.write(`web: ${line}\n`));
  const state = options.state ?? new MemoryWebState(options.now ? { now: options.now } : {});
  const inFlight = new InFlight();
  const app = new Hono<WebEnv>();
  const publicOrigin = config.publicUrl === undefined ? [] : [new URL(config.publicUrl).origin];
  const isAllowed = originPolicy(config.origins, () => [...publicOrigin, ...(options.ownOrigins?.() ?? [])]);

  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
  });
  app.use("/api/*", clientIp(config.trustProxy), apiKeyGuard(options.apiKey, config.requireApiKey), originGuard(isAllowed));
  app.use(
    "/api/*",
    cors({
      origin: (origin) => (isAllowed(origin) ? origin : null),
      allowMethods: ["GET", "POST"],
      allowHeaders: ["Content-Type", "Authorization"],
      exposeHeaders: ["Retry-After"],
      maxAge: 600,
    }),
  );
  app.use("/api/*", perIpLimit(state.rateLimiter("perIp", config.rateLimit.perIp)));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: config.maxBodyBytes,
      // The rest of the body is never read: close the connection, or the client's next request on it would fail.
      onError: () => {
        throw new HttpError(413, "REQUEST_TOO_LARGE", `The body is larger than ${config.maxBodyBytes} bytes (web.maxBodyBytes).`, { Connection: "close" });
      },
    }),
  );

  app.route(
    "/api/conversations",
    conversationRoutes({
      bot: options.bot,
      tickets: options.tickets,
      ids: new ConversationIds(options.bot, state.issuedIds),
      schemas: requestSchemas(config),
      perConversation: state.rateLimiter("perConversation", config.rateLimit.perConversation),
      inFlight,
      handoffWebhook: options.handoffWebhook,
      log,
    }),
  );
  if (options.admin) {
    // Its own guards: no CORS for the widget's origins, its session cookie, CSRF tokens, sign-ins limited per address.
    app.use("/admin/*", clientIp(config.trustProxy));
    app.use("/admin", clientIp(config.trustProxy));
    app.route(
      "/admin",
      adminRoutes({
        ...options.admin,
        product: options.bot.policy.product,
        signIns: state.rateLimiter("adminSignIn", config.admin.signInLimit),
        secureCookie: config.publicUrl?.startsWith("https:") ?? false,
      }),
    );
  }
  app.route("/", assetRoutes({ bot: options.bot, widgetFile: options.widgetFile ?? DEFAULT_WIDGET_FILE, strings: config.strings }));

  app.notFound((c) => c.json(errorBody("ROUTE_NOT_FOUND", `No route ${c.req.method} ${c.req.path}. See README, "Website widget", for the API.`), 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json(errorBody(error.code, error.message), error.status, error.headers);
    // A bug or a failing store: log it, tell the client only that it failed.
    log(`unexpected failure on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.message : String(error)}`);
    return c.json(errorBody("INTERNAL_ERROR", "The server failed to handle this request. Try again; if it persists, tell the site's operator."), 500);
  });

  return {
    app,
    stop: (stopOptions = {}) => inFlight.stop({ graceMs: stopOptions.graceMs ?? 0, reason: new LlamadeskError("ABORTED", "The server is stopping.") }),
    settled: () => inFlight.idle(),
  };
}

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { isLlamadeskError } from "../../../errors.js";
import { buildInsightsReport } from "../../../insights/buildInsightsReport.js";
import { parseSince } from "../../../insights/parseSince.js";
import type { Embedder } from "../../../knowledge/Embedder.js";
import type { KnowledgeStore } from "../../../knowledge/KnowledgeStore.js";
import type { ConversationStore } from "../../../store/ConversationStore.js";
import type { HandoffTicketStore } from "../../../store/HandoffTicketStore.js";
import { errorBody, HttpError } from "../HttpError.js";
import type { RateLimiter } from "../RateLimiter.js";
import type { WebEnv } from "../WebEnv.js";
import { AdminSessions, sameSecret } from "./AdminSessions.js";
import { CONSOLE_CSS, CONSOLE_SCRIPT } from "./consoleAssets.js";
import { consolePage, loginPage } from "./adminPages.js";

/** What the admin console reads. */
export interface AdminOptions {
  /** The admin token (the value of LLAMADESK_ADMIN_TOKEN, or of the variable `web.admin.tokenEnv` names). */
  token: string;
  /** The conversations the numbers are counted from. */
  store: ConversationStore;
  /** Handoff tickets: a conversation that ended in one is not deflected. Defaults to none. */
  tickets?: HandoffTicketStore;
  /** Clusters the failed questions into gaps. Defaults to none (each wording a gap of its own). */
  embedder?: Embedder;
  /** For each gap's closest entry and the entries never retrieved. Defaults to none. */
  knowledge?: KnowledgeStore;
}

export interface AdminRoutesOptions extends AdminOptions {
  product: string;
  /** Sign-in attempts per address (wrong tokens are guessed by the thousand otherwise). */
  signIns: RateLimiter;
  sessions?: AdminSessions;
  /** Mark the cookie Secure (the console is reached over https: `web.publicUrl`). */
  secureCookie: boolean;
}

const COOKIE = "llamadesk_admin";
const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
const UPLOT_CSS = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");

/**
 * The admin console at `/admin`: sign in with the admin token (an HttpOnly, SameSite=Strict session cookie), then
 * the Overview and Gaps pages, fed by `/admin/api/report` (the same `buildInsightsReport` as `llamadesk report`).
 * No CORS headers (the widget's origins get nothing here); every POST must come from this origin and carry the
 * session's CSRF token; sign-ins are rate-limited per address.
 */
export function adminRoutes(options: AdminRoutesOptions): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const sessions = options.sessions ?? new AdminSessions();
  const sessionOf = (c: Context<WebEnv>) => {
    const id = getCookie(c, COOKIE);
    const session = sessions.get(id);
    return session && { id: id!, ...session };
  };

  app.use("*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    c.header("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the console's own form posts.
    c.header("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  // A POST from another site's page (or a page on another name for this server) is refused before anything else.
  app.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const origin = c.req.header("origin");
      const own = new URL(c.req.url).origin;
      if (origin !== undefined && origin !== own) throw new HttpError(403, "ADMIN_CROSS_SITE", "The admin console takes requests from its own pages only.");
      const site = c.req.header("sec-fetch-site");
      if (site !== undefined && site !== "same-origin") throw new HttpError(403, "ADMIN_CROSS_SITE", "The admin console takes requests from its own pages only.");
    }
    await next();
  });

  app.get("/", (c) => {
    const session = sessionOf(c);
    return c.html(session ? consolePage({ product: options.product, csrf: session.csrf }) : loginPage({ product: options.product }));
  });

  app.post("/login", async (c) => {
    const decision = await options.signIns.take(`admin:${c.get("ip")}`);
    if (!decision.ok) {
      c.header("Retry-After", String(decision.retryAfterSeconds));
      return c.html(loginPage({ product: options.product, error: `Too many sign-in attempts from your address: try again in ${decision.retryAfterSeconds} s.` }), 429);
    }
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === "string" ? form.token : "";
    if (!sameSecret(token, options.token)) return c.html(loginPage({ product: options.product, error: "That is not the admin token." }), 401);
    const { id } = sessions.create();
    setCookie(c, COOKIE, id, { path: "/admin", httpOnly: true, sameSite: "Strict", secure: options.secureCookie, maxAge: sessions.ttlSeconds });
    return c.redirect("/admin", 303);
  });

  app.post("/logout", async (c) => {
    const session = requireSession(sessionOf(c));
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    checkCsrf(typeof form.csrf === "string" ? form.csrf : c.req.header("x-csrf-token"), session.csrf);
    sessions.delete(session.id);
    deleteCookie(c, COOKIE, { path: "/admin", secure: options.secureCookie });
    return c.redirect("/admin", 303);
  });

  app.get("/api/report", async (c) => {
    requireSession(sessionOf(c));
    const now = new Date();
    let since: Date;
    try {
      since = parseSince(c.req.query("since") ?? "7d", now);
    } catch (error) {
      if (isLlamadeskError(error)) throw new HttpError(400, "INVALID_OPTION", error.message.replace("--since", "since"));
      throw error;
    }
    const channel = c.req.query("channel")?.trim() || undefined;
    const report = await buildInsightsReport({
      store: options.store,
      ...(options.tickets ? { tickets: options.tickets } : {}),
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.knowledge ? { knowledge: options.knowledge } : {}),
      since,
      until: now,
      ...(channel ? { channel } : {}),
    });
    return c.json(report);
  });

  const asset = (body: string, type: string) => (c: Context<WebEnv>) => c.body(body, 200, { "Content-Type": type, "Cache-Control": "private, max-age=300" });
  app.get("/assets/uplot.js", asset(UPLOT_JS, "text/javascript; charset=utf-8"));
  app.get("/assets/uplot.css", asset(UPLOT_CSS, "text/css; charset=utf-8"));
  app.get("/assets/console.js", asset(CONSOLE_SCRIPT, "text/javascript; charset=utf-8"));
  app.get("/assets/console.css", asset(CONSOLE_CSS, "text/css; charset=utf-8"));

  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json(errorBody(error.code, error.message), error.status, error.headers);
    throw error;
  });
  return app;
}

function requireSession<T>(session: T | undefined): T {
  if (!session) throw new HttpError(401, "ADMIN_SIGN_IN_REQUIRED", "Sign in at /admin with the admin token first.");
  return session;
}

function checkCsrf(given: string | undefined, expected: string): void {
  if (given === undefined || !sameSecret(given, expected)) throw new HttpError(403, "ADMIN_CSRF", "This request lacks the console's CSRF token: reload /admin and try again.");
}

import { describe, expect, it } from "vitest";
import { createBot } from "../../../src/bot.js";
import { createWebApp } from "../../../src/channels/web/createWebApp.js";
import { parseWebConfig, readWebSecrets } from "../../../src/channels/web/webConfig.js";
import { isLlamadeskError } from "../../../src/errors.js";
import { buildInsightsReport } from "../../../src/insights/buildInsightsReport.js";
import type { InsightsReport } from "../../../src/insights/InsightsReport.js";
import { loadPrompts } from "../../../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../../../src/store/MemoryConversationStore.js";
import { MemoryHandoffTicketStore } from "../../../src/store/MemoryHandoffTicketStore.js";
import { faqIndex } from "../../support/botFixture.js";
import { scriptedWeek } from "../../support/scriptedWeek.js";

// The admin console as an attacker meets it: no token, wrong tokens, cross-site requests, a widget origin's CORS.
const TOKEN = "correct-horse-battery-staple-42";
const WIDGET_SITE = "https://shop.example.com";

async function adminApp(options: { token?: string } = {}) {
  let t = new Date(0);
  const store = new MemoryConversationStore({ now: () => t });
  await scriptedWeek(store, (iso) => (t = new Date(iso)));
  const { knowledge, embedder } = await faqIndex();
  const bot = createBot({ knowledge, embedder, store, prompts: await loadPrompts(), policy: { product: "Tidepool" } });
  const tickets = new MemoryHandoffTicketStore();
  const config = parseWebConfig({ origins: [WIDGET_SITE] });
  const { app } = createWebApp({ bot, tickets, config, ...(options.token !== undefined ? { admin: { token: options.token, store, tickets } } : {}) });
  return { app, store, tickets };
}

type App = Awaited<ReturnType<typeof adminApp>>["app"];

async function signIn(app: App, token = TOKEN, headers: Record<string, string> = {}) {
  return app.request("/admin/login", { method: "POST", body: new URLSearchParams({ token }), headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers } });
}

function cookieOf(response: Response): string {
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("the admin console", () => {
  it("is not served without an admin token", async () => {
    const { app } = await adminApp();
    expect((await app.request("/admin")).status).toBe(404);
    expect((await app.request("/admin/api/report")).status).toBe(404);
  });

  it("shows only the sign-in form, and no numbers, to a browser without a session", async () => {
    const { app } = await adminApp({ token: TOKEN });
    const page = await app.request("/admin");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="token"');
    expect(html).not.toContain("data-csrf");
    const api = await app.request("/admin/api/report");
    expect(api.status).toBe(401);
    expect(await codeOf(api)).toBe("ADMIN_SIGN_IN_REQUIRED");
    expect((await app.request("/admin/api/report", { headers: { Cookie: "llamadesk_admin=forged-session-id" } })).status).toBe(401);
  });

  it("signs in with the token: an HttpOnly, SameSite=Strict cookie for /admin, then the report", async () => {
    const { app, store, tickets } = await adminApp({ token: TOKEN });
    const response = await signIn(app);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^llamadesk_admin=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/admin");
    const page = await app.request("/admin", { headers: { Cookie: cookieOf(response) } });
    expect(await page.text()).toContain("data-csrf=");
    const report = (await (await app.request("/admin/api/report?since=2024-05-06", { headers: { Cookie: cookieOf(response) } })).json()) as InsightsReport;
    const expected = await buildInsightsReport({ store, tickets, since: new Date(report.period.since), until: new Date(report.period.until) });
    expect(report.totals).toEqual(expected.totals);
    expect(report.totals.asked).toBe(9); // the scripted week and the Monday after
    const bad = await app.request("/admin/api/report?since=yesterday", { headers: { Cookie: cookieOf(response) } });
    expect(bad.status).toBe(400);
  });

  it("refuses wrong tokens, then limits the attempts from one address", async () => {
    const { app } = await adminApp({ token: TOKEN });
    for (const guess of ["", "password", TOKEN.slice(0, -1), `${TOKEN}x`, "one more"]) {
      const response = await signIn(app, guess);
      expect(response.status).toBe(401);
      expect(response.headers.get("set-cookie")).toBeNull();
    }
    const limited = await signIn(app); // the right token, after five attempts in a minute
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("set-cookie")).toBeNull();
  });

  it("refuses cross-site requests, the widget's own site included, and POSTs without the CSRF token", async () => {
    const { app } = await adminApp({ token: TOKEN });
    for (const origin of ["https://evil.example", WIDGET_SITE]) {
      const response = await signIn(app, TOKEN, { Origin: origin });
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe("ADMIN_CROSS_SITE");
    }
    for (const site of ["cross-site", "same-site"]) expect((await signIn(app, TOKEN, { "Sec-Fetch-Site": site })).status).toBe(403);
    const cookie = cookieOf(await signIn(app));
    const form = { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" };
    const noCsrf = await app.request("/admin/logout", { method: "POST", headers: form, body: "" });
    expect(noCsrf.status).toBe(403);
    expect(await codeOf(noCsrf)).toBe("ADMIN_CSRF");
    expect((await app.request("/admin/api/report", { headers: { Cookie: cookie } })).status).toBe(200); // still signed in
    const csrf = /data-csrf="([^"]+)"/.exec(await (await app.request("/admin", { headers: { Cookie: cookie } })).text())![1]!;
    const out = await app.request("/admin/logout", { method: "POST", headers: form, body: new URLSearchParams({ csrf }) });
    expect(out.status).toBe(303);
    expect((await app.request("/admin/api/report", { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it("answers no CORS to the widget's origins, and forbids framing", async () => {
    const { app } = await adminApp({ token: TOKEN });
    const cookie = cookieOf(await signIn(app));
    const preflight = await app.request("/admin/api/report", { method: "OPTIONS", headers: { Origin: WIDGET_SITE, "Access-Control-Request-Method": "GET" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const read = await app.request("/admin/api/report", { headers: { Origin: WIDGET_SITE, Cookie: cookie } });
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
    expect(read.headers.get("access-control-allow-credentials")).toBeNull();
    // The widget API, by contrast, does answer that origin.
    const api = await app.request("/api/conversations", { method: "OPTIONS", headers: { Origin: WIDGET_SITE, "Access-Control-Request-Method": "POST" } });
    expect(api.headers.get("access-control-allow-origin")).toBe(WIDGET_SITE);
    const page = await app.request("/admin");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toBe("no-store");
  });

  it("takes its token from LLAMADESK_ADMIN_TOKEN or the variable web.admin.tokenEnv names, and refuses a short one", () => {
    expect(readWebSecrets(parseWebConfig({}), {}).adminToken).toBeUndefined();
    expect(readWebSecrets(parseWebConfig({}), { LLAMADESK_ADMIN_TOKEN: TOKEN }).adminToken).toBe(TOKEN);
    expect(readWebSecrets(parseWebConfig({ admin: { tokenEnv: "SUPPORT_ADMIN" } }), { SUPPORT_ADMIN: TOKEN }).adminToken).toBe(TOKEN);
    const cases: [unknown, NodeJS.ProcessEnv][] = [
      [{ admin: { tokenEnv: "SUPPORT_ADMIN" } }, {}],
      [{}, { LLAMADESK_ADMIN_TOKEN: "short" }],
    ];
    for (const [config, env] of cases) {
      let error: unknown;
      try {
        readWebSecrets(parseWebConfig(config), env);
      } catch (e) {
        error = e;
      }
      expect(isLlamadeskError(error, "CHANNEL_CONFIG_INVALID")).toBe(true);
    }
  });
});

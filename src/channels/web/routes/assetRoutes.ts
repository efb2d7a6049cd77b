import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { Hono } from "hono";
import type { Bot } from "../../../bot.js";
import { DEMO_FAVICON, demoPage } from "../demoPage.js";
import { HttpError } from "../HttpError.js";
import type { WidgetStrings } from "../widget/strings.js";
import type { WebEnv } from "../WebEnv.js";

export interface AssetRoutesOptions {
  bot: Bot;
  /** The built widget bundle. */
  widgetFile: string;
  /** Widget strings for the demo page (`web.strings`). */
  strings: Partial<WidgetStrings>;
}

interface CachedScript {
  mtimeMs: number;
  body: string;
  etag: string;
}

/** `/widget.js` (revalidated with an ETag, so a new build reaches every page at once), the demo page `/` and its icon, and `/healthz`. */
export function assetRoutes(options: AssetRoutesOptions): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  let cached: CachedScript | undefined;

  const loadWidget = async (): Promise<CachedScript> => {
    const info = await stat(options.widgetFile).catch(() => undefined);
    if (!info) {
      throw new HttpError(503, "WIDGET_NOT_BUILT", "The widget bundle is missing from this installation: run `npm run build` in the llamadesk package.");
    }
    if (cached?.mtimeMs !== info.mtimeMs) {
      const body = await readFile(options.widgetFile, "utf8");
      cached = { mtimeMs: info.mtimeMs, body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
    }
    return cached;
  };

  app.get("/widget.js", async (c) => {
    const script = await loadWidget();
    const headers = {
      ETag: script.etag,
      "Cache-Control": "public, max-age=0, must-revalidate",
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    const match = c.req.header("if-none-match")?.split(",").map((t) => t.trim().replace(/^W\//, ""));
    if (match?.includes(script.etag)) return c.body(null, 304, headers);
    return c.body(script.body, 200, { ...headers, "Content-Type": "text/javascript; charset=utf-8" });
  });

  app.get("/", (c) => c.html(demoPage({ product: options.bot.policy.product, strings: options.strings })));
  // Browsers ask for /favicon.ico whatever the page says.
  for (const path of ["/favicon.svg", "/favicon.ico"]) {
    app.get(path, (c) => c.body(DEMO_FAVICON, 200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" }));
  }

  // Open to every origin: the widget checks it to tell "offline" from "refused".
  app.get("/healthz", (c) => c.json({ ok: true, model: options.bot.chatModel?.id ?? null }, 200, { "Access-Control-Allow-Origin": "*" }));

  return app;
}

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

/** One request the site answered (or is still holding). */
export interface SiteRequest {
  path: string;
  status: number;
  userAgent?: string;
  ifNoneMatch?: string;
  /** Every header sent, lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
}

/** A page of the site: its HTML, or how it misbehaves. */
export type SitePage =
  | { html: string; status?: number; /** Answer only after this long. */ delayMs?: number }
  | { redirect: string; status?: 301 | 302 | 308 }
  | { error: 500 | 503 }
  | { hang: true }
  | { bytes: number }
  | { pdf: true };

/**
 * A help center on 127.0.0.1 for crawl tests: robots.txt, a sitemap index with a gzipped child,
 * pages with ETags that answer `If-None-Match` with 304, redirects, and the failure modes a real
 * site has (500s, a page that never answers, a huge page, a PDF). Tests change pages between crawls.
 */
export class TestHelpSite {
  readonly pages = new Map<string, SitePage>();
  /** Paths listed in the sitemaps: [plain sitemap, gzipped sitemap]. */
  sitemap: [string[], string[]] = [[], []];
  robots = "User-agent: *\nDisallow: /help/internal/\n";
  readonly requests: SiteRequest[] = [];
  /** Most requests in flight at once (a held page counts until the site stops). */
  maxInFlight = 0;
  private inFlight = 0;
  private server: Server | undefined;
  private base = "";

  get url(): string {
    return this.base;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Requests for one path (query string included). */
  requestsTo(path: string): SiteRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? "/";
    const record: SiteRequest = { path, status: 200, headers: req.headers, ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}), ...(typeof req.headers["if-none-match"] === "string" ? { ifNoneMatch: req.headers["if-none-match"] } : {}) };
    this.requests.push(record);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.on("close", () => this.inFlight--);
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(body);
    };
    if (path === "/robots.txt") return send(200, "text/plain", this.robots);
    if (path === "/sitemap.xml") {
      return send(200, "application/xml", `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${this.base}/sitemaps/articles.xml</loc></sitemap><sitemap><loc>${this.base}/sitemaps/more.xml.gz</loc></sitemap></sitemapindex>`);
    }
    if (path === "/sitemaps/articles.xml") return send(200, "application/xml", urlset(this.base, this.sitemap[0]));
    if (path === "/sitemaps/more.xml.gz") return send(200, "application/gzip", gzipSync(urlset(this.base, this.sitemap[1])));
    const calendar = /^\/help\/calendar\?month=(\d+)$/.exec(path);
    const page: SitePage | undefined = calendar ? { html: calendarPage(Number(calendar[1])) } : this.pages.get(path);
    if (!page) return send(404, "text/html", "<h1>Not found</h1>");
    if ("redirect" in page) return send(page.status ?? 301, "text/html", "", { location: page.redirect });
    if ("error" in page) return send(page.error, "text/html", "<h1>Something went wrong</h1>");
    if ("hang" in page) {
      record.status = 0;
      return; // never answers; stop() drops the connection
    }
    if ("pdf" in page) return send(200, "application/pdf", Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"));
    if ("bytes" in page) return this.sendHuge(res, record, page.bytes);
    const etag = `"${createHash("sha256").update(page.html).digest("hex").slice(0, 16)}"`;
    if (req.headers["if-none-match"] === etag) {
      record.status = 304;
      res.writeHead(304, { etag });
      return void res.end();
    }
    if (page.delayMs) setTimeout(() => send(page.status ?? 200, "text/html; charset=utf-8", page.html, { etag }), page.delayMs);
    else send(page.status ?? 200, "text/html; charset=utf-8", page.html, { etag });
  }

  /** A page of `bytes` bytes, sent in 1 MB pieces, without a content-length: only reading it shows its size. */
  private sendHuge(res: ServerResponse, record: SiteRequest, bytes: number): void {
    record.status = 200;
    res.writeHead(200, { "content-type": "text/html" });
    const piece = Buffer.alloc(1_000_000, "<p>filler text</p>\n");
    let sent = 0;
    const more = () => {
      while (sent < bytes && !res.destroyed) {
        sent += piece.length;
        if (!res.write(piece)) return void res.once("drain", more);
      }
      res.end();
    };
    res.on("error", () => undefined);
    more();
  }
}

/** A help-center page: site furniture around a `<main>` the crawler must keep to. */
export function helpPage(title: string, main: string, head = ""): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} | Acme Help</title>${head}</head><body>
<header><nav><a href="/help/">Help home</a> <a href="/help/billing/refunds">Refunds</a> <a href="/pricing">Pricing</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<main>${main}</main>
<footer><p>© Acme Inc. All rights reserved. <a href="/legal/privacy">Privacy</a></p></footer>
<script>window.analytics = { track: function () {} };</script>
</body></html>`;
}

/** A month of an endless calendar: it always links the next month. */
function calendarPage(month: number): string {
  return helpPage(`Events in month ${month}`, `<h1>Events in month ${month}</h1><p>No webinars are planned for month ${month}.</p><a href="/help/calendar?month=${month + 1}">Next month</a>`);
}

function urlset(base: string, paths: readonly string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((p) => `<url><loc>${base}${p.replace(/&/g, "&amp;")}</loc></url>`).join("")}</urlset>`;
}

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ZendeskArticle } from "./ZendeskHelpCenterConnector.js";

/**
 * The Zendesk Help Center API on 127.0.0.1: categories, sections, articles per locale (offset
 * paging with `next_page`), `incremental/articles?start_time=` (by `updated_at`, with `end_time`),
 * an `Authorization` check (401 "Couldn't authenticate you"), and scripted 429s with `Retry-After`.
 * Pages hold 2 items, so paging is always exercised. Records every path asked for.
 */
export class FakeZendeskHelpCenter {
  readonly articles: ZendeskArticle[] = [];
  readonly categories = [{ id: 1, name: "Billing" }];
  readonly sections = [{ id: 10, name: "Refunds", category_id: 1 }];
  readonly paths: string[] = [];
  /** The next this-many requests answer 429 with `Retry-After: 1`. */
  rateLimits = 0;
  private server: Server | undefined;
  private base = "";

  constructor(private readonly options: { authorization: string }) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", this.base);
      this.paths.push(`${url.pathname}${url.search}`);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== this.options.authorization) return reply(401, { error: "Couldn't authenticate you" });
      if (this.rateLimits > 0) {
        this.rateLimits--;
        return reply(429, { error: "APIRateLimitExceeded" }, { "retry-after": "1" });
      }
      const page = Number(url.searchParams.get("page") ?? 1);
      const paged = <T>(key: string, items: readonly T[]) => {
        const nodes = items.slice((page - 1) * 2, page * 2);
        const next = page * 2 < items.length ? new URL(url) : null;
        next?.searchParams.set("page", String(page + 1));
        return reply(200, { [key]: nodes, next_page: next?.href ?? null, page, count: items.length });
      };
      let match: RegExpExecArray | null;
      if (url.pathname === "/api/v2/help_center/categories.json") return paged("categories", this.categories);
      if (url.pathname === "/api/v2/help_center/sections.json") return paged("sections", this.sections);
      if (url.pathname === "/api/v2/help_center/articles.json") return paged("articles", this.articles);
      if ((match = /^\/api\/v2\/help_center\/([a-z]{2}(?:-[a-z]+)?)\/articles\.json$/.exec(url.pathname))) return paged("articles", this.articles.filter((a) => a.locale === match![1]));
      if (url.pathname === "/api/v2/help_center/incremental/articles.json") {
        const start = Number(url.searchParams.get("start_time"));
        const changed = this.articles.filter((a) => Date.parse(a.updated_at) / 1000 >= start).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
        // Two a page, plus any more with the last one's second, so the next page (from the second after) loses none.
        let size = Math.min(2, changed.length);
        while (size < changed.length && changed[size]!.updated_at === changed[size - 1]!.updated_at) size++;
        const nodes = changed.slice(0, size);
        const endTime = nodes.length ? Math.floor(Date.parse(nodes.at(-1)!.updated_at) / 1000) : start;
        const next = changed.length > size ? `${this.base}/api/v2/help_center/incremental/articles.json?start_time=${endTime + 1}` : null;
        return reply(200, { articles: nodes, next_page: next, end_time: endTime, count: nodes.length });
      }
      reply(404, { error: "InvalidEndpoint" });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

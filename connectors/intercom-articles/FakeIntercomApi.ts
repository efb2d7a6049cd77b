import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { IntercomArticle } from "./IntercomArticlesConnector.js";

/**
 * Intercom's Articles API on 127.0.0.1: `/articles` and `/help_center/collections` as `list`
 * objects with `pages` (2 a page here), Bearer auth (401 `unauthorized`), the `Intercom-Version`
 * header required, and scripted 429s with `X-RateLimit-Reset`. Records every path asked for.
 */
export class FakeIntercomApi {
  readonly articles: IntercomArticle[] = [];
  readonly collections = [{ id: "7", name: "Getting started" }];
  readonly paths: string[] = [];
  rateLimits = 0;
  private server: Server | undefined;

  constructor(private readonly options: { token: string }) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      this.paths.push(`${url.pathname}${url.search}`);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${this.options.token}`) return reply(401, { type: "error.list", errors: [{ code: "unauthorized", message: "Access Token Invalid" }] });
      if (!req.headers["intercom-version"]) return reply(400, { type: "error.list", errors: [{ code: "intercom_version_invalid", message: "Requested version is not valid" }] });
      if (this.rateLimits > 0) {
        this.rateLimits--;
        return reply(429, { type: "error.list", errors: [{ code: "rate_limit_exceeded", message: "Rate Limit Exceeded" }] }, { "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1) });
      }
      const page = Number(url.searchParams.get("page") ?? 1);
      const list = (items: readonly unknown[]) => {
        const total = Math.max(1, Math.ceil(items.length / 2));
        reply(200, { type: "list", data: items.slice((page - 1) * 2, page * 2), total_count: items.length, pages: { type: "pages", page, per_page: 2, total_pages: total } });
      };
      if (url.pathname === "/articles") return list(this.articles);
      if (url.pathname === "/help_center/collections") return list(this.collections);
      reply(404, { type: "error.list", errors: [{ code: "not_found", message: "Resource Not Found" }] });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

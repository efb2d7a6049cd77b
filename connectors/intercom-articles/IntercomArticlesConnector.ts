import { makeSourceDoc } from "../../src/sourceDoc.js";
import type { Connector, PullOptions, SourceDoc } from "../../src/types.js";
import { readArticleState, type ArticleState } from "../helpcenter-shared/ArticleState.js";
import { fetchJson, type FetchJsonOptions } from "../helpcenter-shared/fetchJson.js";
import { extractArticle } from "../website/extractPage.js";

/** An article as Intercom's Articles API gives it (the fields used). */
export interface IntercomArticle {
  id: string;
  title: string;
  body: string | null;
  url: string | null;
  state: "published" | "draft";
  parent_id: number | string | null;
  parent_type?: string | null;
  /** Unix seconds. */
  updated_at: number;
}

interface IntercomList<T> {
  data: T[];
  pages?: { page: number; total_pages: number; next?: string | null };
}

export interface IntercomArticlesConnectorOptions {
  token: string;
  /** Names the token's variable in auth errors. */
  credential?: string;
  /** API root. Defaults to Intercom's US region; "https://api.eu.intercom.io" or "https://api.au.intercom.io" for the others. */
  apiUrl?: string;
  /** The `Intercom-Version` header. Defaults to "2.11". */
  version?: string;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Intercom Help Center articles through the Articles API: published articles (drafts left out),
 * tagged with their collection, each body cleaned and split like a crawled page and cited at its
 * public `url`. The API has no change feed, so every sync lists all articles (50 a page) and
 * re-extracts only those whose `updated_at` moved; an article no longer listed leaves the index.
 */
export class IntercomArticlesConnector implements Connector {
  readonly name = "intercom-articles";
  readonly origin: string;
  private readonly apiUrl: string;

  constructor(private readonly options: IntercomArticlesConnectorOptions) {
    this.apiUrl = (options.apiUrl ?? "https://api.intercom.io").replace(/\/+$/, "");
    this.origin = this.apiUrl;
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const { state: previous, problem } = readArticleState(options.state);
    if (problem) options.onIssue?.({ file: "intercom-articles state", message: `the saved state is not usable (${problem}), so every article is read again` });
    const http: FetchJsonOptions = {
      headers: { authorization: `Bearer ${this.options.token}`, "intercom-version": this.options.version ?? "2.11" },
      connector: this.name,
      credential: this.options.credential ?? "the token",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
    };
    const collections = new Map<string, string>();
    for await (const c of this.listAll<{ id: string | number; name: string }>("/help_center/collections", http)) collections.set(String(c.id), c.name);
    const next: ArticleState = { version: 1, articles: {} };
    for await (const article of this.listAll<IntercomArticle>("/articles", http)) {
      if (article.state !== "published") continue;
      if (!article.url) {
        options.onIssue?.({ file: `intercom article ${article.id}`, message: "published but has no public URL (its help center is off?); skipped" });
        continue;
      }
      const updatedAt = String(article.updated_at);
      const before = previous.articles[article.id];
      if (before && before.updatedAt === updatedAt) {
        next.articles[article.id] = before;
        continue;
      }
      const collection = article.parent_id === null ? undefined : collections.get(String(article.parent_id));
      const docs = extractArticle(article.body ?? "", { url: article.url, title: article.title, idBase: `intercom:${article.id}` }).map((d) => ({ ...d, ...(collection ? { tags: [collection] } : {}) }));
      next.articles[article.id] = { updatedAt, docs };
    }
    for (const key of Object.keys(next.articles).sort()) for (const doc of next.articles[key]!.docs) yield makeSourceDoc(doc);
    options.saveState?.(next);
  }

  private async *listAll<T>(path: string, http: FetchJsonOptions): AsyncIterable<T> {
    for (let page = 1; ; page++) {
      const list: IntercomList<T> = await fetchJson(`${this.apiUrl}${path}?page=${page}&per_page=50`, http);
      yield* list.data;
      if (!list.pages || list.pages.page >= list.pages.total_pages) return;
    }
  }
}

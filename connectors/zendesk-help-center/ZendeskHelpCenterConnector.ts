import { LlamadeskError } from "../../src/errors.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";
import type { Connector, PullOptions, SourceDoc } from "../../src/types.js";
import { readArticleState, type ArticleState, type StoredArticle } from "../helpcenter-shared/ArticleState.js";
import { fetchJson, type FetchJsonOptions } from "../helpcenter-shared/fetchJson.js";
import { extractArticle } from "../website/extractPage.js";

/** An article as the Help Center API gives it (the fields used). */
export interface ZendeskArticle {
  id: number;
  title: string;
  body: string | null;
  html_url: string;
  locale: string;
  section_id: number | null;
  draft: boolean;
  updated_at: string;
  label_names?: string[];
}

export interface ZendeskHelpCenterConnectorOptions {
  /** "acme" for https://acme.zendesk.com; or give `baseUrl`. */
  subdomain?: string;
  /** The help center's API root, e.g. "https://help.acme.com" (a host-mapped help center) or a test server. */
  baseUrl?: string;
  /** Locales to read, e.g. ["en-us"]. Defaults to every locale. */
  locales?: string[];
  /** `Authorization` header value (Basic for email/token, Bearer for OAuth); none reads a public help center. */
  authorization?: string;
  /** Names the credential variable in auth errors. */
  credential?: string;
  /** Hours between full listings, which catch deleted and archived articles. Defaults to 24. */
  fullListingHours?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Reads again this far before the saved end_time, so nothing updated mid-read is missed. */
const OVERLAP_S = 300;

/**
 * Zendesk Help Center articles through its API: published articles (drafts left out) of the chosen
 * locales, tagged with their category, section and labels, each body cleaned and split like a crawled
 * page and cited at its `html_url`. Incremental through `incremental/articles?start_time=`; every
 * `fullListingHours` the articles are listed in full, and the ones gone (deleted, archived, turned
 * into drafts) leave the index.
 */
export class ZendeskHelpCenterConnector implements Connector {
  readonly name = "zendesk-help-center";
  readonly origin: string;
  private readonly baseUrl: string;

  constructor(private readonly options: ZendeskHelpCenterConnectorOptions) {
    if (!options.baseUrl && !options.subdomain) throw new LlamadeskError("INVALID_OPTION", 'zendesk-help-center: give "subdomain" (e.g. "acme") or "baseUrl"');
    this.baseUrl = (options.baseUrl ?? `https://${options.subdomain}.zendesk.com`).replace(/\/+$/, "");
    this.origin = this.baseUrl;
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const now = (this.options.now ?? Date.now)();
    const { state: previous, problem } = readArticleState(options.state);
    if (problem) options.onIssue?.({ file: "zendesk-help-center state", message: `the saved state is not usable (${problem}), so every article is read again` });
    const http: FetchJsonOptions = {
      headers: this.options.authorization ? { authorization: this.options.authorization } : {},
      connector: this.name,
      credential: this.options.credential ?? "the credentials",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
    };
    const names = await this.structureNames(http);
    const wantedLocale = (locale: string) => !this.options.locales || this.options.locales.some((l) => l.toLowerCase() === locale.toLowerCase());
    const full = previous.cursor === undefined || previous.listedAt === undefined || now - Date.parse(previous.listedAt) >= (this.options.fullListingHours ?? 24) * 3_600_000;
    const next: ArticleState = { version: 1, articles: full ? {} : { ...previous.articles }, listedAt: full ? new Date(now).toISOString() : previous.listedAt! };
    const take = (article: ZendeskArticle) => {
      const key = `${article.locale}:${article.id}`;
      if (article.draft || !wantedLocale(article.locale)) {
        delete next.articles[key];
        return;
      }
      const before = previous.articles[key];
      next.articles[key] = before && before.updatedAt === article.updated_at ? before : this.stored(article, names);
    };

    let cursor = previous.cursor;
    if (full) {
      for (const locale of this.options.locales ?? [undefined]) {
        let url: string | null = `${this.baseUrl}/api/v2/help_center${locale ? `/${encodeURIComponent(locale)}` : ""}/articles.json?per_page=100`;
        while (url) {
          const page: { articles: ZendeskArticle[]; next_page: string | null } = await fetchJson(url, http);
          page.articles.forEach(take);
          url = page.next_page;
        }
      }
      cursor = Math.floor(now / 1000);
    } else {
      let from = Math.max(0, previous.cursor! - OVERLAP_S);
      let url: string | null = `${this.baseUrl}/api/v2/help_center/incremental/articles.json?start_time=${from}`;
      while (url) {
        const page: { articles: ZendeskArticle[]; next_page: string | null; end_time?: number } = await fetchJson(url, http);
        page.articles.forEach(take);
        // The export can hand back a next_page that brings nothing new at its end: stop when it makes no progress.
        const progressed = page.end_time !== undefined && page.end_time > from;
        if (page.end_time !== undefined) {
          cursor = Math.max(cursor ?? 0, page.end_time);
          from = page.end_time;
        }
        url = page.articles.length > 0 && progressed ? page.next_page : null;
      }
    }
    next.cursor = cursor ?? Math.floor(now / 1000);
    for (const key of Object.keys(next.articles).sort()) for (const doc of next.articles[key]!.docs) yield makeSourceDoc(doc);
    options.saveState?.(next);
  }

  private stored(article: ZendeskArticle, names: { section: Map<number, { name: string; category?: string }> }): StoredArticle {
    const section = article.section_id === null ? undefined : names.section.get(article.section_id);
    const tags = [...new Set([section?.category, section?.name, ...(article.label_names ?? [])].filter((t): t is string => !!t))];
    const docs = extractArticle(article.body ?? "", { url: article.html_url, title: article.title, idBase: `zendesk:${article.locale}:${article.id}` }).map((d) => ({ ...d, ...(tags.length ? { tags } : {}) }));
    return { updatedAt: article.updated_at, docs };
  }

  /** Section and category names, for tags. */
  private async structureNames(http: FetchJsonOptions): Promise<{ section: Map<number, { name: string; category?: string }> }> {
    const categories = new Map<number, string>();
    for await (const c of this.listAll<{ id: number; name: string }>("categories", http)) categories.set(c.id, c.name);
    const section = new Map<number, { name: string; category?: string }>();
    for await (const s of this.listAll<{ id: number; name: string; category_id: number }>("sections", http)) {
      const category = categories.get(s.category_id);
      section.set(s.id, { name: s.name, ...(category ? { category } : {}) });
    }
    return { section };
  }

  private async *listAll<T>(kind: "categories" | "sections", http: FetchJsonOptions): AsyncIterable<T> {
    let url: string | null = `${this.baseUrl}/api/v2/help_center/${kind}.json?per_page=100`;
    while (url) {
      const page: Record<string, unknown> & { next_page: string | null } = await fetchJson(url, http);
      yield* (page[kind] as T[] | undefined) ?? [];
      url = page.next_page;
    }
  }
}

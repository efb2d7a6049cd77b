import { LlamadeskError } from "../../src/errors.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";
import type { Connector, PullOptions, SourceDoc } from "../../src/types.js";
import { crawlSite, type CrawlSettings, type CrawlStats } from "./crawlSite.js";
import { readWebsiteState, type StoredPageDoc } from "./WebsiteState.js";

/** The user agent of every request, and the token robots.txt rules are read for. */
export const USER_AGENT = "llamadesk";

export interface WebsiteConnectorOptions {
  /** Sitemap URLs (`sitemap.xml`, a sitemap index, `.xml.gz`): every page listed is crawled. */
  sitemap?: string | string[];
  /** Pages to start from; links are followed on the same host under the start URL's folder. */
  startUrls?: string[];
  /** Only URLs matching one of these (`*` matches anything), e.g. "https://example.com/help/*". Defaults to all. */
  include?: string[];
  /** URLs matching one of these are never fetched, e.g. "*\/calendar/*". */
  exclude?: string[];
  /** Pages fetched at most per crawl. Defaults to 1000. */
  maxPages?: number;
  /** Links followed at most this many steps from a start URL. Defaults to 8. */
  maxDepth?: number;
  /** Requests in flight at once. Defaults to 4. */
  concurrency?: number;
  /** Wait between requests to one host, in ms (a robots.txt `Crawl-delay` raises it). Defaults to 0. */
  delayMs?: number;
  /** A request that takes longer fails (its docs are kept). Defaults to 15000. */
  timeoutMs?: number;
  /** A page larger than this is not read (its docs are kept). Defaults to 5 MB. */
  maxPageBytes?: number;
  /** CSS selector of the main content, when the automatic choice (main, article, Readability) is wrong. */
  selector?: string;
  /** Obey robots.txt for user agent `llamadesk`. Defaults to true. */
  respectRobots?: boolean;
  /** Extra request headers (a cookie or token for a private help center), values already read from the environment. */
  headers?: Record<string, string>;
}

/**
 * A website or help center, crawled: each page's main content split into section docs citing
 * `url#anchor`, and its FAQs (FAQPage JSON-LD, accordions, question headings) as `faq` docs.
 * Incremental: a page unchanged since the last crawl (304, or the same body) costs no parsing and
 * no embedding; a page that is gone leaves the index; a page that fails for now keeps its docs.
 */
export class WebsiteConnector implements Connector {
  readonly name = "website";
  /** One origin whatever the URLs: a page dropped from the config leaves the index at the next sync. */
  readonly origin = "site";
  /** What the last pull cost (pages fetched, 304s, parsed, fetch and parse time). */
  lastStats: CrawlStats | undefined;
  private readonly settings: CrawlSettings;

  constructor(options: WebsiteConnectorOptions) {
    const sitemaps = options.sitemap === undefined ? [] : Array.isArray(options.sitemap) ? options.sitemap : [options.sitemap];
    const startUrls = options.startUrls ?? [];
    if (sitemaps.length === 0 && startUrls.length === 0) {
      throw new LlamadeskError("INVALID_OPTION", 'website: give a "sitemap" or "startUrls", e.g. { "sitemap": "https://example.com/sitemap.xml" } or { "startUrls": ["https://example.com/help/"] }');
    }
    for (const url of [...sitemaps, ...startUrls]) {
      if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new LlamadeskError("INVALID_OPTION", `website: "${url}" is not an http(s) URL`);
    }
    this.settings = {
      sitemaps,
      startUrls,
      ...(options.include ? { include: options.include } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      maxPages: options.maxPages ?? 1000,
      maxDepth: options.maxDepth ?? 8,
      concurrency: options.concurrency ?? 4,
      delayMs: options.delayMs ?? 0,
      timeoutMs: options.timeoutMs ?? 15_000,
      maxPageBytes: options.maxPageBytes ?? 5_000_000,
      ...(options.selector ? { selector: options.selector } : {}),
      respectRobots: options.respectRobots ?? true,
      headers: { "user-agent": USER_AGENT, accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5", ...lowerCaseKeys(options.headers ?? {}) },
    };
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = options.onIssue ?? (() => undefined);
    const { state: previous, problem } = readWebsiteState(options.state);
    if (problem) report({ file: "website state", message: `the saved crawl state is not usable (${problem}), so every page is fetched again` });
    const ready: StoredPageDoc[] = [];
    let wakeReader: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    const stopCrawl = new AbortController();
    const crawl = crawlSite({
      settings: this.settings,
      previous,
      emit: (docs) => {
        ready.push(...docs);
        wakeReader?.();
      },
      report,
      signal: options.signal ? AbortSignal.any([options.signal, stopCrawl.signal]) : stopCrawl.signal,
    })
      .then(
        (result) => {
          this.lastStats = result.stats;
          if (result.stats.limitReached) {
            report({ file: this.settings.startUrls[0] ?? this.settings.sitemaps[0]!, message: `the crawl stopped at maxPages (${this.settings.maxPages}); pages past it are not indexed: raise maxPages or narrow include/exclude` });
          }
          return result.state;
        },
        (error: unknown) => {
          failure = error;
          return undefined;
        },
      )
      .finally(() => {
        finished = true;
        wakeReader?.();
      });
    try {
      let next = 0;
      for (;;) {
        if (next < ready.length) {
          yield makeSourceDoc(ready[next++]!);
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
      const state = await crawl;
      if (failure !== undefined) throw failure;
      options.saveState?.(state);
    } finally {
      stopCrawl.abort();
    }
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

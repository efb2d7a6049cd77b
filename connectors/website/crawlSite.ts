import { createHash } from "node:crypto";
import type { SourceIssue } from "../../src/types.js";
import { canonicalUrl, urlPattern } from "./canonicalUrl.js";
import { extractPage } from "./extractPage.js";
import { decodeBody, fetchPage } from "./fetchPage.js";
import { pageDocs } from "./pageDocs.js";
import { readSitemap } from "./readSitemap.js";
import { fetchHostRules, type HostRules } from "./siteRules.js";
import { emptyWebsiteState, type PageState, type StoredPageDoc, type WebsiteState } from "./WebsiteState.js";

/** The crawl limits and politeness settings, all filled in (see `WebsiteConnectorOptions` for each). */
export interface CrawlSettings {
  sitemaps: string[];
  startUrls: string[];
  include?: string[];
  exclude?: string[];
  maxPages: number;
  maxDepth: number;
  concurrency: number;
  delayMs: number;
  timeoutMs: number;
  maxPageBytes: number;
  selector?: string;
  respectRobots: boolean;
  /** Every request's headers: the user agent plus the configured ones. */
  headers: Record<string, string>;
}

/** What a crawl cost, for `sync` and the bench. */
export interface CrawlStats {
  /** URLs taken from the sitemaps, start URLs and links (each fetched once). */
  pages: number;
  fetched: number;
  /** 304 Not Modified: nothing read, parsed or embedded. */
  notModified: number;
  /** 200 with the same body as last time: not parsed. */
  sameBody: number;
  parsed: number;
  /** 404/410. */
  gone: number;
  /** 5xx, timeouts, too large: their docs were kept. */
  failed: number;
  /** Not HTML (a PDF, an image). */
  skipped: number;
  /** Disallowed by robots.txt. */
  disallowed: number;
  /** Summed over the requests (they overlap when concurrency > 1). */
  fetchMs: number;
  parseMs: number;
  /** Wall time of the whole crawl (sitemaps, robots.txt, every page). */
  crawlMs: number;
  /** maxPages stopped the crawl before every URL was seen. */
  limitReached: boolean;
}

export interface CrawlInput {
  settings: CrawlSettings;
  previous: WebsiteState;
  /** Gets each page's docs as soon as they are known. */
  emit: (docs: readonly StoredPageDoc[]) => void;
  report: (issue: SourceIssue) => void;
  signal?: AbortSignal;
}

/** Links to files that are never HTML pages: not fetched at all. */
const NOT_PAGES = /\.(pdf|zip|gz|tgz|png|jpe?g|gif|webp|svg|ico|mp4|mp3|mov|avi|woff2?|ttf|css|js|json|xml|docx?|xlsx?|pptx?|exe|dmg|apk)$/i;

/**
 * Crawls a site (sitemaps and/or start URLs with their same-host links under the start URL's folder)
 * with `concurrency` workers, a per-host delay and robots.txt, using the previous crawl's validators
 * for conditional requests. Returns the state for the next crawl: only the pages this crawl reached,
 * so a page that is gone (404/410, out of the sitemap, no longer linked) is dropped; a page that
 * failed for now keeps what it had.
 */
export async function crawlSite(input: CrawlInput): Promise<{ state: WebsiteState; stats: CrawlStats }> {
  const { settings, previous, report } = input;
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  const request = { headers: settings.headers, timeoutMs: settings.timeoutMs, maxBytes: settings.maxPageBytes, signal };
  const next = emptyWebsiteState();
  const stats: CrawlStats = { pages: 0, fetched: 0, notModified: 0, sameBody: 0, parsed: 0, gone: 0, failed: 0, skipped: 0, disallowed: 0, fetchMs: 0, parseMs: 0, crawlMs: 0, limitReached: false };
  const crawlStarted = performance.now();

  const scopes = settings.startUrls.map((u) => {
    const url = new URL(canonicalUrl(u) ?? u);
    return { origin: url.origin, prefix: url.pathname.slice(0, url.pathname.lastIndexOf("/") + 1) };
  });
  const origins = new Set([...scopes.map((s) => s.origin), ...settings.sitemaps.map((u) => new URL(u).origin)]);
  const include = settings.include?.map(urlPattern);
  const exclude = settings.exclude?.map(urlPattern);
  const wanted = (url: string) => {
    const parsed = new URL(url);
    return origins.has(parsed.origin) && !NOT_PAGES.test(parsed.pathname) && (!include || include.some((r) => r.test(url))) && !exclude?.some((r) => r.test(url));
  };
  const followable = (url: string) => {
    const parsed = new URL(url);
    return scopes.some((s) => parsed.origin === s.origin && parsed.pathname.startsWith(s.prefix)) && wanted(url);
  };

  const queue: { url: string; depth: number }[] = [];
  const claimed = new Set<string>();
  const enqueue = (url: string, depth: number) => {
    if (claimed.has(url) || !wanted(url)) return;
    if (claimed.size >= settings.maxPages) {
      stats.limitReached = true;
      return;
    }
    claimed.add(url);
    queue.push({ url, depth });
    wake();
  };

  const rules = new Map<string, Promise<HostRules>>();
  const rulesOf = (origin: string) => {
    let found = rules.get(origin);
    if (!found) rules.set(origin, (found = settings.respectRobots ? fetchHostRules(origin, request) : Promise.resolve({ allowed: () => true })));
    return found;
  };
  const nextSlot = new Map<string, number>();
  const politely = async (origin: string, delayMs: number) => {
    const now = Date.now();
    const slot = Math.max(now, nextSlot.get(origin) ?? 0);
    nextSlot.set(origin, slot + delayMs);
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  };

  const keep = (url: string, entry: PageState, depth: number) => {
    next.pages[url] = entry;
    if (entry.docs?.length) input.emit(entry.docs);
    if (entry.canonical) enqueue(entry.canonical, depth);
    if (depth < settings.maxDepth) for (const link of entry.links ?? []) if (followable(link)) enqueue(link, depth + 1);
  };

  const visit = async ({ url, depth }: { url: string; depth: number }) => {
    stats.pages++;
    const origin = new URL(url).origin;
    const hostRules = await rulesOf(origin);
    if (!hostRules.allowed(url)) {
      stats.disallowed++;
      return;
    }
    const before = previous.pages[url];
    const validators = before?.redirect ? previous.pages[before.redirect] : before;
    await politely(origin, Math.max(settings.delayMs, hostRules.delayMs ?? 0));
    const started = performance.now();
    const outcome = await fetchPage(url, { ...request, ...(validators?.etag ? { etag: validators.etag } : {}), ...(validators?.lastModified ? { lastModified: validators.lastModified } : {}) });
    stats.fetchMs += performance.now() - started;
    stats.fetched++;
    const at = canonicalUrl(outcome.url) ?? url;
    if (at !== url) {
      next.pages[url] = { redirect: at };
      if (claimed.has(at) || !wanted(at)) return; // the target is crawled on its own, or is off the site
      claimed.add(at);
    }
    const known = previous.pages[at];
    switch (outcome.kind) {
      case "not-modified":
        stats.notModified++;
        if (known) keep(at, known, depth);
        return;
      case "gone":
        stats.gone++;
        return;
      case "failed": {
        stats.failed++;
        const kept = known?.docs?.length ?? 0;
        report({ file: url, message: `${outcome.reason}; ${kept > 0 ? `its ${kept} docs from the last crawl are kept` : "nothing indexed from it"} until it answers` });
        if (known) keep(at, known, depth);
        return;
      }
      case "ok": {
        const type = outcome.contentType.split(";")[0]!.trim().toLowerCase();
        if (type !== "" && type !== "text/html" && type !== "application/xhtml+xml") {
          stats.skipped++;
          report({ file: at, message: `not an HTML page (${type}); skipped` });
          return;
        }
        const validatorsNow = { ...(outcome.etag ? { etag: outcome.etag } : {}), ...(outcome.lastModified ? { lastModified: outcome.lastModified } : {}) };
        const bodyHash = createHash("sha256").update(outcome.body).digest("hex");
        if (known && known.bodyHash === bodyHash) {
          stats.sameBody++;
          const { etag: _e, lastModified: _l, ...rest } = known;
          keep(at, { ...rest, ...validatorsNow }, depth);
          return;
        }
        const parseStarted = performance.now();
        const page = extractPage(decodeBody(outcome.body, outcome.contentType), at, settings.selector ? { selector: settings.selector } : {});
        stats.parseMs += performance.now() - parseStarted;
        stats.parsed++;
        const entry: PageState = { ...validatorsNow, bodyHash, links: page.nofollow ? [] : page.links.filter(followable) };
        if (page.canonical && page.canonical !== at) entry.canonical = page.canonical;
        else if (!page.noindex) entry.docs = pageDocs(at, page.docs);
        keep(at, entry, depth);
      }
    }
  };

  let waiters: (() => void)[] = [];
  function wake() {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  }
  let active = 0;
  let failure: unknown;
  const worker = async () => {
    while (!signal.aborted) {
      const item = queue.shift();
      if (!item) {
        if (active === 0) return wake();
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      active++;
      try {
        await visit(item);
      } catch (error) {
        failure ??= error;
        stop.abort();
      } finally {
        active--;
        wake();
      }
    }
    wake();
  };

  for (const url of settings.startUrls) enqueue(canonicalUrl(url) ?? url, 0);
  for (const sitemap of settings.sitemaps) for (const url of await readSitemap(sitemap, request)) enqueue(canonicalUrl(url) ?? url, 0);
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  input.signal?.throwIfAborted();
  if (failure) throw failure;
  stats.crawlMs = performance.now() - crawlStarted;
  return { state: next, stats };
}

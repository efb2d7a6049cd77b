import { gunzipSync } from "node:zlib";
import { XMLParser } from "fast-xml-parser";
import { LlamadeskError } from "../../src/errors.js";
import { decodeBody, fetchPage, type FetchOptions } from "./fetchPage.js";

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, isArray: (name) => name === "url" || name === "sitemap", processEntities: true });
/** Nested sitemap indexes deeper than this are not followed (a loop or a trap). */
const MAX_NESTING = 3;

/**
 * Page URLs of a sitemap (sitemaps.org protocol, parsed by fast-xml-parser): a `<urlset>`, or a
 * `<sitemapindex>` whose sitemaps are read in turn; `.xml.gz` (or a gzip body) is unpacked. A sitemap
 * that cannot be read fails the crawl: pages "leaving" a sitemap that did not load must not be deleted.
 */
export async function readSitemap(url: string, fetchOptions: Omit<FetchOptions, "etag" | "lastModified">, seen = new Set<string>(), depth = 0): Promise<string[]> {
  if (seen.has(url) || depth > MAX_NESTING) return [];
  seen.add(url);
  const fail = (why: string) =>
    new LlamadeskError("SOURCE_FAILED", `website: the sitemap ${url} ${why}, so the crawl stopped and the index keeps this site as it was. Check the "sitemap" URL in the config.`);
  const outcome = await fetchPage(url, fetchOptions);
  if (outcome.kind === "gone") throw fail(`answered HTTP ${outcome.status}`);
  if (outcome.kind === "failed") throw fail(`could not be read (${outcome.reason})`);
  if (outcome.kind !== "ok") throw fail("answered 304 to a plain request");
  let bytes = outcome.body;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw fail(`is not valid gzip (${(error as Error).message})`);
    }
  }
  let xml: { urlset?: { url?: { loc?: unknown }[] }; sitemapindex?: { sitemap?: { loc?: unknown }[] } };
  try {
    xml = parser.parse(decodeBody(bytes, outcome.contentType)) as typeof xml;
  } catch (error) {
    throw fail(`is not valid XML (${(error as Error).message})`);
  }
  const locs = (entries: { loc?: unknown }[] | undefined) => (entries ?? []).map((e) => (typeof e.loc === "string" ? e.loc.trim() : "")).filter((loc) => loc !== "");
  // An empty element parses to "": an empty sitemap is a sitemap with no pages.
  const children = <T>(value: T | string | undefined) => (typeof value === "object" ? value : undefined);
  if ("sitemapindex" in xml) {
    const pages: string[] = [];
    for (const child of locs(children(xml.sitemapindex)?.sitemap)) pages.push(...(await readSitemap(new URL(child, url).href, fetchOptions, seen, depth + 1)));
    return pages;
  }
  if ("urlset" in xml) return locs(children(xml.urlset)?.url).map((loc) => new URL(loc, url).href);
  throw fail("has neither <urlset> nor <sitemapindex>");
}

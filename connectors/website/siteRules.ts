import robotsParserModule from "robots-parser";
import { LlamadeskError } from "../../src/errors.js";
import { fetchPage, decodeBody, type FetchOptions } from "./fetchPage.js";

// robots-parser is CommonJS (`module.exports = fn`) while its typings declare a default export.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/** The robots token llamadesk obeys in robots.txt (`User-agent: llamadesk`). */
export const ROBOTS_AGENT = "llamadesk";

/** One host's robots.txt, parsed by robots-parser. */
export interface HostRules {
  allowed(url: string): boolean;
  /** `Crawl-delay` for llamadesk, in ms. */
  delayMs?: number;
}

/**
 * Reads `<origin>/robots.txt` (RFC 9309): a 4xx means no rules; a 5xx or no answer fails the crawl
 * (so nothing is deleted on a guess), as the RFC asks a crawler to assume full disallow then.
 */
export async function fetchHostRules(origin: string, fetchOptions: Omit<FetchOptions, "etag" | "lastModified">): Promise<HostRules> {
  const url = new URL("/robots.txt", origin).href;
  const outcome = await fetchPage(url, fetchOptions);
  if (outcome.kind === "failed" && /^HTTP 4\d\d$/.test(outcome.reason)) return { allowed: () => true };
  if (outcome.kind === "gone") return { allowed: () => true };
  if (outcome.kind !== "ok") {
    throw new LlamadeskError("SOURCE_FAILED", `website: ${url} could not be read (${outcome.kind === "failed" ? outcome.reason : outcome.kind}), so the crawl stopped and the index keeps this site as it was. Try again later, or set "respectRobots": false if the site has no robots.txt rules for you.`);
  }
  const robots = robotsParser(url, decodeBody(outcome.body, outcome.contentType));
  const delay = robots.getCrawlDelay(ROBOTS_AGENT);
  return { allowed: (page) => robots.isAllowed(page, ROBOTS_AGENT) !== false, ...(delay ? { delayMs: delay * 1000 } : {}) };
}

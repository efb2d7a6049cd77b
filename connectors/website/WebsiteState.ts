import type { SourceKind } from "../../src/types.js";

/** A doc of a page as the state keeps it, so a page that answers 304 is yielded again without fetching its body. */
export interface StoredPageDoc {
  id: string;
  kind: SourceKind;
  title: string;
  text: string;
  url: string;
  tags?: string[];
}

/** What the last crawl learnt about one URL. */
export interface PageState {
  /** The URL redirects to this one (its state is under that URL). */
  redirect?: string;
  etag?: string;
  lastModified?: string;
  /** sha256 of the body: a server that ignores conditional requests still costs no parsing when nothing changed. */
  bodyHash?: string;
  /** The page names another URL as canonical: it yields no docs of its own. */
  canonical?: string;
  /** Links to follow from it (so a 304 page still leads the crawl on). */
  links?: string[];
  docs?: StoredPageDoc[];
}

export interface WebsiteState {
  version: 1;
  pages: Record<string, PageState>;
}

export function emptyWebsiteState(): WebsiteState {
  return { version: 1, pages: {} };
}

/** The saved state, or why it cannot be used. */
export function readWebsiteState(raw: unknown): { state: WebsiteState; problem?: string } {
  if (raw === undefined || raw === null) return { state: emptyWebsiteState() };
  const candidate = raw as Partial<WebsiteState>;
  if (typeof raw !== "object" || candidate.version !== 1 || typeof candidate.pages !== "object" || candidate.pages === null) {
    return { state: emptyWebsiteState(), problem: "not a website crawl state of version 1" };
  }
  return { state: candidate as WebsiteState };
}

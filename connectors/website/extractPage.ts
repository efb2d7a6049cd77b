import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { canonicalUrl } from "./canonicalUrl.js";
import { htmlDocs, type HtmlDoc } from "./htmlDocs.js";
import { faqJsonLd } from "./faqJsonLd.js";
import type { HtmlDocument, HtmlElement } from "./htmlTypes.js";
import { pageDocs } from "./pageDocs.js";
import type { StoredPageDoc } from "./WebsiteState.js";

export interface ExtractPageOptions {
  /** CSS selector of the main content, when the automatic choice is wrong. */
  selector?: string;
}

/** What a crawl needs from one HTML page. */
export interface ExtractedPage {
  title: string;
  /** The page's `rel=canonical`, canonicalised, when it has one. */
  canonical?: string;
  /** Canonical URLs of the links to follow (`rel=nofollow` left out). */
  links: string[];
  /** `<meta name="robots" content="noindex">`: the page yields no docs. */
  noindex: boolean;
  /** `<meta name="robots" content="nofollow">`: its links are not followed. */
  nofollow: boolean;
  docs: HtmlDoc[];
}

/**
 * Parses a page (linkedom), takes its main content (the `selector`, else `<main>`/`[role=main]`/
 * `<article>`, else what Mozilla Readability picks), and turns it into section and FAQ docs.
 */
export function extractPage(html: string, url: string, options: ExtractPageOptions = {}): ExtractedPage {
  const { document } = parseHTML(html);
  const base = canonicalBase(document.querySelector("base[href]")?.getAttribute("href"), url);
  const robots = [...document.querySelectorAll('meta[name="robots" i], meta[name="llamadesk" i]')].map((m) => (m.getAttribute("content") ?? "").toLowerCase()).join(",");
  const canonicalHref = document.querySelector('link[rel~="canonical"]')?.getAttribute("href");
  const canonical = canonicalHref ? canonicalUrl(canonicalHref, base) : undefined;
  const links = new Set<string>();
  for (const a of document.querySelectorAll("a[href]")) {
    if (/\bnofollow\b/i.test(a.getAttribute("rel") ?? "")) continue;
    const link = canonicalUrl(a.getAttribute("href")!, base);
    if (link) links.add(link);
  }
  const jsonLd = [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => s.textContent ?? "");
  const root = mainContent(document, options.selector);
  const pageTitle = (root?.querySelector("h1")?.textContent ?? document.querySelector('meta[property="og:title"]')?.getAttribute("content") ?? document.title ?? "").replace(/\s+/g, " ").trim() || new URL(url).pathname;
  return {
    title: pageTitle,
    ...(canonical ? { canonical } : {}),
    links: [...links],
    noindex: /\b(noindex|none)\b/.test(robots),
    nofollow: /\b(nofollow|none)\b/.test(robots),
    docs: root ? htmlDocs(root, { pageTitle, faq: faqJsonLd(jsonLd) }) : [],
  };
}

const NOISE = [
  "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "dialog",
  '[role="navigation"]', '[role="banner"]', '[role="contentinfo"]', '[role="search"]', '[role="dialog"]', '[aria-hidden="true"]', "[hidden]",
].join(",");
/** Class or id words of page furniture that themes put inside the content area too. */
const FURNITURE = /(^|[\s_-])(cookie|consent|gdpr|breadcrumbs?|sidebar|skip-link|share|social|newsletter|related|feedback|vote|pagination)([\s_-]|$)/i;

function mainContent(document: HtmlDocument, selector: string | undefined): HtmlElement | undefined {
  let root: HtmlElement | null | undefined;
  if (selector) {
    root = document.querySelector(selector);
  } else {
    root = document.querySelector('main, [role="main"]') ?? document.querySelector("article");
    if (!root) {
      const article = new Readability(document.cloneNode(true) as unknown as ConstructorParameters<typeof Readability>[0], { keepClasses: true }).parse();
      if (article?.content) root = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body;
    }
    root ??= document.body;
  }
  if (!root) return undefined;
  for (const element of [...root.querySelectorAll(NOISE)]) element.remove();
  for (const element of [...root.querySelectorAll("[class], [id]")]) {
    if (FURNITURE.test(element.getAttribute("class") ?? "") || FURNITURE.test(element.getAttribute("id") ?? "")) element.remove();
  }
  if (root === document.body) for (const header of [...root.querySelectorAll("header")]) header.remove();
  return root;
}

function canonicalBase(href: string | null | undefined, url: string): string {
  if (!href) return url;
  try {
    return new URL(href, url).href;
  } catch {
    return url;
  }
}

/**
 * An article body from a help-center API (HTML without the page around it) as docs citing
 * `url#anchor`, with the same cleaning, sectioning and FAQ detection as a crawled page.
 */
export function extractArticle(html: string, options: { url: string; title: string; idBase: string }): StoredPageDoc[] {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const root = mainContent(document, "body");
  return root ? pageDocs(options.url, htmlDocs(root, { pageTitle: options.title }), options.idBase) : [];
}

/** Query parameters that only track where a visitor came from: dropped so one page has one URL. */
const TRACKING = /^(utm_[a-z_]+|gclid|gclsrc|dclid|fbclid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|ref_src)$/i;

/**
 * The one URL a page is known by: absolute, fragment dropped, tracking parameters dropped and the
 * rest sorted (so `?b=1&a=2` and `?a=2&b=1` are one page). Undefined for anything but http(s).
 */
export function canonicalUrl(href: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  url.hash = "";
  url.username = "";
  url.password = "";
  const kept = [...url.searchParams].filter(([name]) => !TRACKING.test(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.href;
}

/** `*` matches anything; every other character stands for itself. Matched against the whole canonical URL. */
export function urlPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

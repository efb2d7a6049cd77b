import { describe, expect, it } from "vitest";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { canonicalUrl } from "./canonicalUrl.js";
import { extractPage } from "./extractPage.js";
import { pageDocs } from "./pageDocs.js";

const URL_ = "https://help.example.com/articles/42";

describe("extractPage", () => {
  it("without <main> or <article>, lets Readability find the content and leaves the page furniture out", () => {
    const body = "<p>Exports run every night at 02:00 UTC and include every project you can see. Large workspaces can take an hour; you get an email with the download link when the file is ready, valid for seven days.</p>".repeat(3);
    const page = extractPage(`<html><head><title>Nightly exports</title></head><body><div id="top-nav"><a href="/">Home</a> <a href="/pricing">Pricing</a></div><div class="post"><h1>Nightly exports</h1>${body}</div><div class="site-footer">© Example</div></body></html>`, URL_);
    expect(page.title).toBe("Nightly exports");
    expect(page.docs).toHaveLength(1);
    expect(page.docs[0]!.text).toContain("valid for seven days");
    expect(page.docs[0]!.text).not.toMatch(/Pricing|© Example/);
  });

  it("takes the `selector` when given, and reads canonical, robots meta and links (nofollow and non-http left out)", () => {
    const page = extractPage(
      `<html><head><link rel="canonical" href="/articles/42-exports?utm_medium=x"><meta name="robots" content="noindex, nofollow"></head><body><main><p>Wrong part</p></main>
<div class="kb-body"><h2 id="a">Alpha</h2><p>Right part.</p></div><a href="other#frag">other</a><a rel="nofollow" href="/login">login</a><a href="mailto:x@example.com">mail</a></body></html>`,
      URL_,
      { selector: ".kb-body" },
    );
    expect(page.docs.map((d) => d.text)).toEqual(["Right part."]);
    expect(page.canonical).toBe("https://help.example.com/articles/42-exports");
    expect(page).toMatchObject({ noindex: true, nofollow: true });
    expect(page.links).toEqual(["https://help.example.com/articles/other"]);
  });

  it("splits at headings keeping deeper ones inside, keeps code blocks whole, and gives every doc a unique id", () => {
    const page = extractPage(
      `<main><h1>API keys</h1><p>Keys authenticate scripts.</p><h2>Create a key</h2><p>Settings &gt; API.</p><h5>Note</h5><p>Keys are shown once.</p><pre><code># not a heading\ncurl -H "Authorization: Bearer KEY"</code></pre><h2>Create a key</h2><p>Second section with the same heading.</p></main>`,
      URL_,
    );
    expect(page.docs.map((d) => [d.title, d.anchor])).toEqual([
      ["API keys", undefined],
      ["API keys — Create a key", "create-a-key"],
      ["API keys — Create a key", "create-a-key"],
    ]);
    expect(page.docs[1]!.text).toContain("##### Note");
    expect(page.docs[1]!.text).toContain("# not a heading\ncurl");
    const docs = pageDocs(URL_, page.docs);
    expect(new Set(docs.map((d) => d.id)).size).toBe(3);
    expect(docs.map((d) => d.url)).toEqual([URL_, `${URL_}#create-a-key`, `${URL_}#create-a-key`]);
  });

  it("turns FAQPage JSON-LD into faq docs even without matching visible text, and skips a JSON-LD block that is not JSON", () => {
    const ld = { "@context": "https://schema.org", "@graph": [{ "@type": "WebPage" }, { "@type": "FAQPage", mainEntity: { "@type": "Question", name: "Is there a free plan?", acceptedAnswer: { "@type": "Answer", text: "Yes, for up to <b>3 users</b>." } } }] };
    const page = extractPage(`<head><script type="application/ld+json">{not json</script><script type="application/ld+json">${JSON.stringify(ld)}</script></head><main><h1>Plans</h1><p>Compare plans.</p></main>`, URL_);
    expect(page.docs).toContainEqual({ kind: "faq", title: "Is there a free plan?", text: "Yes, for up to **3 users**." });
  });
});

describe("canonicalUrl", () => {
  it("drops fragments, credentials and tracking parameters, and sorts the rest", () => {
    expect(canonicalUrl("HTTPS://user:pw@Help.Example.com:443/a?utm_source=x&b=2&gclid=1&a=1#top")).toBe("https://help.example.com/a?a=1&b=2");
    expect(canonicalUrl("javascript:void(0)")).toBeUndefined();
    expect(canonicalUrl("../b", "https://x.test/docs/a/")).toBe("https://x.test/docs/b");
  });
});

describe("website config entry", () => {
  const check = (entry: Record<string, unknown>, env: Record<string, string> = {}) =>
    configuredSources([{ connector: "website", ...entry }], { configPath: "llamadesk.config.json", baseDir: "/tmp", env: (name) => env[name] }).then((sources) => sources[0]!.create());

  it("names the entry and field of a bad option", async () => {
    await expect(check({})).rejects.toThrow(/sources\.0\.sitemap: give "sitemap" or "startUrls"/);
    await expect(check({ startUrls: ["ftp://x.test/"] })).rejects.toThrow(/sources\.0\.startUrls\.0: must be an http\(s\) URL/);
    await expect(check({ startUrls: ["https://x.test/"], concurrency: 0 })).rejects.toThrow(/sources\.0\.concurrency/);
    await expect(check({ startUrls: ["https://x.test/"], headers: { Cookie: "session=abc" } })).rejects.toThrow(/sources\.0\.headers\.Cookie: must be the name of an environment variable/);
  });

  it("reads header values only from the variables named, and says which one is unset", async () => {
    await expect(check({ startUrls: ["https://x.test/"], headers: { Cookie: "HELP_COOKIE" } })).rejects.toMatchObject({ code: "SOURCE_CONFIG_INVALID", message: expect.stringMatching(/headers\.Cookie: the environment variable HELP_COOKIE is not set/) });
    expect((await check({ startUrls: ["https://x.test/"], headers: { Cookie: "HELP_COOKIE" } }, { HELP_COOKIE: "s=1" })).name).toBe("website");
  });
});

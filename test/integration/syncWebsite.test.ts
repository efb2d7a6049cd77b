import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helpPage, TestHelpSite } from "../../connectors/website/TestHelpSite.js";
import type { StoredDoc } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { runSync } from "../../src/sync/runSync.js";
import type { SourceIssue } from "../../src/types.js";

const refunds = (extra = "") =>
  helpPage(
    "Refunds",
    `<h1>Refunds</h1><p>Money back on Acme plans.</p>
<h2 id="eligibility">Who can get a refund</h2><p>Annual plans can be refunded in full within 30 days of purchase.</p>
<h3 id="monthly-plans">Monthly plans</h3><p>Monthly plans are not refundable, but you can cancel any time.${extra}</p>
<h2 id="how-to-request">How do I request a refund?</h2><p>Open <strong>Billing &gt; Refunds</strong> and click <em>Request refund</em>. The money arrives in 5 to 10 business days.</p>`,
  );

const faqJsonLd = JSON.stringify({
  "@context": "https://schema.org",
  "@type": "FAQPage",
  mainEntity: [
    { "@type": "Question", name: "Can I change my username?", acceptedAnswer: { "@type": "Answer", text: "<p>Yes, under <b>Settings &gt; Profile</b>, once every 30 days.</p>" } },
    { "@type": "Question", name: "Do you offer a student discount?", acceptedAnswer: { "@type": "Answer", text: "Students get 50% off with a school email address." } },
  ],
});

// A help center on loopback -> `sync` (config entry, the real website connector, USE-lite, HNSW + BM25,
// crawl state saved with the index) -> an unchanged re-crawl -> pages removed, failing and edited.
describe("sync of a help center through the website connector", () => {
  const embedder = new UseLiteEmbedder();
  const site = new TestHelpSite();
  let work: string;
  const issues: SourceIssue[] = [];

  const sync = async () => {
    const sources = await configuredSources(
      [{ connector: "website", name: "help", sitemap: `${site.url}/sitemap.xml`, startUrls: [`${site.url}/help/`], maxDepth: 3, timeoutMs: 1500, headers: { "X-Help-Token": "HELP_TOKEN" } }],
      { configPath: "llamadesk.config.json", baseDir: work, env: (name) => (name === "HELP_TOKEN" ? "private-help-secret" : undefined) },
    );
    issues.length = 0;
    const store = await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder, create: true });
    return (await runSync({ store, embedder, sources, onIssue: (_source, issue) => issues.push(issue) })).results[0]!;
  };
  const docs = async () => new Map((await (await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder })).listDocs()).map((d): [string, StoredDoc] => [d.id, d]));
  const retrieve = async (query: string) => (await new HybridRetriever({ store: await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder }), embedder }).retrieve(query, { k: 1 }))[0];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-website-"));
    const base = await site.start();
    site.pages.set("/help/", {
      html: helpPage(
        "Acme Help Center",
        `<h1>Acme Help Center</h1><p>Answers about billing, your account and data.</p><ul>
<li><a href="/help/billing/refunds?utm_source=newsletter#how-to-request">Refunds</a></li><li><a href="/help/billing/invoices">Invoices</a></li>
<li><a href="/help/old-password-page">Password</a></li><li><a href="/help/internal/agent-notes">Agent notes</a></li>
<li><a href="/help/files/guide.pdf">Guide (PDF)</a></li><li><a href="/help/manual">Manual</a></li><li><a href="/help/removed">Old page</a></li>
<li><a href="/blog/launch">Blog</a></li></ul>`,
      ),
    });
    site.pages.set("/help/billing/refunds", { html: refunds() });
    site.pages.set("/help/billing/invoices", { html: helpPage("Invoices", `<h1>Invoices</h1><h2 id="download">Downloading invoices</h2><p>Invoices are PDF files under Billing &gt; History, one per payment.</p>`) });
    site.pages.set("/help/faq", { html: helpPage("Account FAQ", `<h1>Account FAQ</h1><h2 id="username">Can I change my username?</h2><p>Yes, under Settings &gt; Profile, once every 30 days.</p>`, `<script type="application/ld+json">${faqJsonLd}</script>`) });
    site.pages.set("/help/accordion", {
      html: helpPage(
        "Data and security",
        `<h1>Data and security</h1><details id="export-data"><summary>How do I export my data?</summary><p>Go to Settings &gt; Data &gt; Export; a ZIP file arrives by email within an hour.</p></details>
<h2 id="security">Security</h2><p>We take security seriously.</p><details><summary>Is two-factor authentication available?</summary><p>Yes: turn it on under Settings &gt; Security with any authenticator app.</p></details>`,
      ),
    });
    site.pages.set("/help/old-password-page", { redirect: "/help/account/password" });
    site.pages.set("/help/account/password", { html: helpPage("Resetting your password", `<h1>Resetting your password</h1><p>Use the Forgot password link on the sign-in page; the reset link works for one hour.</p>`) });
    site.pages.set("/help/print/refunds", { html: refunds().replace("<head>", `<head><link rel="canonical" href="${base}/help/billing/refunds">`) });
    site.pages.set("/help/status", { html: helpPage("Service status", `<h1>Service status</h1><p>Outages and maintenance windows are announced on the status page and by email to admins.</p>`) });
    site.pages.set("/help/slow", { hang: true });
    site.pages.set("/help/huge", { bytes: 20_000_000 });
    site.pages.set("/help/manual", { pdf: true });
    site.pages.set("/help/internal/agent-notes", { html: helpPage("Agent notes", `<h1>Agent notes</h1><p>Internal escalation codes: do not share.</p>`) });
    site.pages.set("/help/removed", { html: helpPage("Legacy plans", `<h1>Legacy plans</h1><p>The 2019 Starter plan was retired and moved to Basic.</p>`) });
    site.pages.set("/help/retired", { html: helpPage("Fax support", `<h1>Fax support</h1><p>Send faxes to our support line at any hour.</p>`) });
    site.sitemap = [
      ["/help/", "/help/billing/refunds", "/help/faq", "/help/accordion", "/help/print/refunds", "/help/status", "/help/slow", "/help/huge", "/help/retired", "/help/internal/agent-notes"],
      ["/help/account/password", "/help/calendar?month=1"],
    ];
  });
  afterAll(async () => {
    await site.stop();
    await embedder.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("indexes the main content of each page as sections and FAQs citing url#anchor, within robots.txt and the crawl limits", async () => {
    const first = await sync();
    expect(first.error).toBeUndefined();
    const indexed = await docs();
    const u = (path: string) => `${site.url}${path}`;

    // Sections by heading, each citing its anchor; the page top cites the page.
    expect(indexed.get(u("/help/billing/refunds"))).toMatchObject({ kind: "doc", title: "Refunds", url: u("/help/billing/refunds") });
    expect(indexed.get(u("/help/billing/refunds#eligibility"))).toMatchObject({ kind: "doc", title: "Refunds — Who can get a refund", url: u("/help/billing/refunds#eligibility") });
    expect(indexed.get(u("/help/billing/refunds#monthly-plans"))).toMatchObject({ title: "Refunds — Monthly plans" });
    // Question headings, FAQPage JSON-LD and accordions are FAQ entries.
    expect(indexed.get(u("/help/billing/refunds#faq-how-do-i-request-a-refund"))).toMatchObject({ kind: "faq", title: "How do I request a refund?", url: u("/help/billing/refunds#how-to-request") });
    expect(indexed.get(u("/help/faq#faq-can-i-change-my-username"))).toMatchObject({ kind: "faq", url: u("/help/faq#username") });
    expect(indexed.get(u("/help/faq#faq-do-you-offer-a-student-discount"))).toMatchObject({ kind: "faq", url: u("/help/faq") });
    expect(indexed.get(u("/help/accordion#faq-how-do-i-export-my-data"))).toMatchObject({ kind: "faq", url: u("/help/accordion#export-data") });
    expect(indexed.get(u("/help/accordion#faq-is-two-factor-authentication-available"))).toMatchObject({ kind: "faq", url: u("/help/accordion#security") });
    // The redirect is indexed under where it lands; the print copy defers to its canonical page.
    expect(indexed.has(u("/help/account/password"))).toBe(true);
    expect([...indexed.keys()].some((id) => id.includes("old-password-page") || id.includes("/print/"))).toBe(false);
    // Followed links keep to /help/ and drop tracking parameters; robots.txt, the PDF and the failures index nothing.
    expect(indexed.has(u("/help/billing/invoices#download"))).toBe(true);
    expect([...indexed.keys()].filter((id) => /utm_|\/blog\/|\/pricing|\/legal\/|internal|manual|slow|huge/.test(id))).toEqual([]);
    expect(site.requestsTo("/help/internal/agent-notes")).toEqual([]);
    expect(site.requestsTo("/help/files/guide.pdf")).toEqual([]);
    expect(site.requests.every((r) => r.userAgent === "llamadesk" && r.headers["x-help-token"] === "private-help-secret")).toBe(true);
    // The endless calendar stops at maxDepth (3 links past the sitemap's month).
    expect([...indexed.keys()].filter((id) => id.includes("/help/calendar")).sort()).toEqual([1, 2, 3, 4].map((m) => u(`/help/calendar?month=${m}`)));
    expect(site.requestsTo("/help/calendar?month=5")).toEqual([]);
    // Failures are reported by URL and say what happened.
    expect(issues.find((i) => i.file === u("/help/slow"))?.message).toMatch(/no answer within 1500 ms/);
    expect(issues.find((i) => i.file === u("/help/huge"))?.message).toMatch(/larger than maxPageBytes/);
    expect(issues.find((i) => i.file === u("/help/manual"))?.message).toMatch(/not an HTML page \(application\/pdf\)/);

    // Only the main content is indexed: no navigation, cookie banner, footer or script.
    const allText = [...indexed.values()].map((d) => d.title).join("\n");
    expect(allText).not.toMatch(/cookie|All rights reserved/i);
    const refundsTop = await retrieve("money back on Acme plans");
    expect(refundsTop?.text).not.toMatch(/cookies|Help home|analytics|All rights reserved/);
    const answer = await retrieve("how can I get my data out as a zip");
    expect(answer?.url).toBe(u("/help/accordion#export-data"));
  });

  it("re-crawls an unchanged site with conditional requests: every page answers 304 and nothing is embedded", async () => {
    const before = await docs();
    site.requests.length = 0;
    const second = await sync();
    expect(second.error).toBeUndefined();
    expect(second.counts).toMatchObject({ added: 0, updated: 0, deleted: 0, chunksEmbedded: 0, unchanged: before.size });
    // Every HTML page answered 304; only what never had validators (the huge page, the PDF) was fetched in full again.
    const pages = site.requests.filter((r) => r.path.startsWith("/help/") && r.path !== "/help/slow");
    expect(pages.filter((r) => r.status === 304)).toHaveLength(15);
    expect(pages.filter((r) => r.status !== 304).map((r) => [r.path, r.status])).toEqual(
      expect.arrayContaining([
        ["/help/huge", 200],
        ["/help/manual", 200],
        ["/help/old-password-page", 301],
      ]),
    );
    expect(pages.filter((r) => r.status !== 304)).toHaveLength(3);
    expect(site.requestsTo("/help/billing/refunds")[0]?.ifNoneMatch).toMatch(/^"[0-9a-f]{16}"$/);
    expect(await docs()).toEqual(before);
  });

  it("deletes a page that answers 404 or leaves the sitemap, keeps a page that answers 500, and re-embeds an edited page", async () => {
    const u = (path: string) => `${site.url}${path}`;
    site.pages.delete("/help/removed");
    site.sitemap[0] = site.sitemap[0].filter((p) => p !== "/help/retired");
    site.pages.set("/help/status", { error: 500 });
    site.pages.set("/help/billing/refunds", { html: refunds(" Switch to an annual plan to save 20%.") });
    const third = await sync();
    expect(third.error).toBeUndefined();
    expect(third.counts).toMatchObject({ added: 0, updated: 1, deleted: 2, chunksEmbedded: 1 });
    const after = await docs();
    expect(after.has(u("/help/removed"))).toBe(false);
    expect(after.has(u("/help/retired"))).toBe(false);
    expect(after.has(u("/help/status"))).toBe(true);
    expect(issues.find((i) => i.file === u("/help/status"))?.message).toMatch(/HTTP 500; its 1 docs from the last crawl are kept/);
    expect((await retrieve("save 20% by switching to annual"))?.url).toBe(u("/help/billing/refunds#monthly-plans"));
  });

  it("fails the source without touching its docs when the sitemap cannot be read", async () => {
    const before = await docs();
    const saved = site.sitemap;
    site.pages.set("/sitemap-broken", { error: 503 });
    const sources = await configuredSources([{ connector: "website", name: "help", sitemap: `${site.url}/sitemap-broken` }], { configPath: "llamadesk.config.json", baseDir: work });
    const store = await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder });
    const [result] = (await runSync({ store, embedder, sources })).results;
    expect(result?.error).toMatchObject({ code: "SOURCE_FAILED" });
    expect(result?.error?.message).toMatch(/sitemap .*sitemap-broken could not be read \(HTTP 503\)/);
    expect(await docs()).toEqual(before);
    site.sitemap = saved;
  });
});

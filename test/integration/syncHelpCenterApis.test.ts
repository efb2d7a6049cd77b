import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeIntercomApi } from "../../connectors/intercom-articles/FakeIntercomApi.js";
import type { IntercomArticle } from "../../connectors/intercom-articles/index.js";
import { FakeZendeskHelpCenter } from "../../connectors/zendesk-help-center/FakeZendeskHelpCenter.js";
import type { ZendeskArticle } from "../../connectors/zendesk-help-center/index.js";
import type { StoredDoc } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { runSync } from "../../src/sync/runSync.js";

const embedder = new UseLiteEmbedder();
afterAll(() => embedder.dispose());

async function syncInto(dir: string, entry: Record<string, unknown>, env: Record<string, string>) {
  const sources = await configuredSources([entry], { configPath: "llamadesk.config.json", baseDir: dir, env: (name) => env[name] });
  const store = await LocalKnowledgeStore.open({ dir: join(dir, "index"), embedder, create: true });
  return (await runSync({ store, embedder, sources })).results[0]!;
}
async function docsIn(dir: string): Promise<Map<string, StoredDoc>> {
  return new Map((await (await LocalKnowledgeStore.open({ dir: join(dir, "index"), embedder })).listDocs()).map((d): [string, StoredDoc] => [d.id, d]));
}
const iso = (minutesAgo: number) => new Date(Math.floor((Date.now() - minutesAgo * 60_000) / 1000) * 1000).toISOString();

// Fake Zendesk Help Center API on loopback -> `sync` (email/token auth from the environment, the real
// connector, the website connector's extraction, USE-lite, HNSW + BM25) -> incremental changes -> a full listing.
describe("sync of a Zendesk help center", () => {
  const auth = `Basic ${Buffer.from("agent@acme.test/token:zd-secret-token").toString("base64")}`;
  const fake = new FakeZendeskHelpCenter({ authorization: auth });
  let work: string;
  let baseUrl: string;
  const article = (id: number, title: string, body: string, minutesAgo: number, extra: Partial<ZendeskArticle> = {}): ZendeskArticle => ({
    id, title, body, html_url: `https://help.acme.test/hc/en-us/articles/${id}`, locale: "en-us", section_id: 10, draft: false, updated_at: iso(minutesAgo), label_names: ["payments"], ...extra,
  });
  const sync = (extra: Record<string, unknown> = {}, token = "zd-secret-token") =>
    syncInto(work, { connector: "zendesk-help-center", name: "zendesk", baseUrl, locales: ["en-us"], email: "agent@acme.test", tokenEnv: "ZENDESK_API_TOKEN", ...extra }, { ZENDESK_API_TOKEN: token });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-zendesk-"));
    fake.articles.push(
      article(101, "Refund policy", `<p>Annual plans are refundable within 30 days.</p><h2 id="how">How do I ask for a refund?</h2><p>Write to billing with your invoice number.</p>`, 300),
      article(102, "Changing your card", `<p>Go to Billing &gt; Payment method and add the new card before removing the old one.</p>`, 200),
      article(103, "Upcoming pricing (draft)", `<p>Not public yet.</p>`, 100, { draft: true }),
      article(104, "Politique de remboursement", `<p>Les forfaits annuels sont remboursables.</p>`, 90, { locale: "fr", html_url: "https://help.acme.test/hc/fr/articles/104" }),
    );
    baseUrl = await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("indexes published articles of the chosen locales, sectioned, tagged and cited at html_url; a 429 is waited out", async () => {
    fake.rateLimits = 1;
    const first = await sync();
    expect(first.error).toBeUndefined();
    const docs = await docsIn(work);
    expect([...docs.keys()].sort()).toEqual(["zendesk:en-us:101", "zendesk:en-us:101#faq-how-do-i-ask-for-a-refund", "zendesk:en-us:102"]);
    expect(docs.get("zendesk:en-us:101#faq-how-do-i-ask-for-a-refund")).toMatchObject({ kind: "faq", url: "https://help.acme.test/hc/en-us/articles/101#how", tags: ["Billing", "Refunds", "payments"] });
    expect(docs.get("zendesk:en-us:102")).toMatchObject({ kind: "doc", title: "Changing your card", url: "https://help.acme.test/hc/en-us/articles/102" });
    expect(fake.paths.filter((p) => p.startsWith("/api/v2/help_center/en-us/articles.json"))).toHaveLength(2); // two pages
  });

  it("reads changes incrementally from end_time: an edit is re-embedded, an article turned draft leaves the index", async () => {
    fake.paths.length = 0;
    Object.assign(fake.articles.find((a) => a.id === 102)!, { body: "<p>Go to Billing &gt; Payment method; cards are verified with a 1 USD hold.</p>", updated_at: iso(1) });
    Object.assign(fake.articles.find((a) => a.id === 101)!, { draft: true, updated_at: iso(1) });
    const second = await sync();
    expect(second.error).toBeUndefined();
    expect(second.counts).toMatchObject({ updated: 1, deleted: 2, unchanged: 0, added: 0 });
    expect(fake.paths.some((p) => /^\/api\/v2\/help_center\/incremental\/articles\.json\?start_time=\d+$/.test(p))).toBe(true);
    expect(fake.paths.some((p) => p.startsWith("/api/v2/help_center/en-us/articles.json"))).toBe(false);
    expect([...(await docsIn(work)).keys()]).toEqual(["zendesk:en-us:102"]);
  });

  it("a full listing catches a deleted article; bad credentials fail with SOURCE_AUTH_FAILED and change nothing", async () => {
    fake.articles.push(article(105, "Taxes on invoices", "<p>VAT is shown per line.</p>", 0));
    const added = await sync();
    expect(added.counts).toMatchObject({ added: 1 });
    fake.articles.splice(fake.articles.findIndex((a) => a.id === 105), 1);
    expect((await sync()).counts).toMatchObject({ deleted: 0 }); // incremental reads cannot see a deletion
    expect((await sync({ fullListingHours: 0 })).counts).toMatchObject({ deleted: 1 });
    const before = await docsIn(work);
    const denied = await sync({}, "wrong-token");
    expect(denied.error).toMatchObject({ code: "SOURCE_AUTH_FAILED", message: expect.stringContaining("ZENDESK_API_TOKEN") });
    expect(denied.error?.message).not.toContain("wrong-token");
    expect(await docsIn(work)).toEqual(before);
  });
});

describe("sync of Intercom articles", () => {
  const fake = new FakeIntercomApi({ token: "ic-secret-token" });
  let work: string;
  let apiUrl: string;
  const article = (id: string, title: string, body: string, extra: Partial<IntercomArticle> = {}): IntercomArticle => ({
    id, title, body, url: `https://intercom.help/acme/en/articles/${id}`, state: "published", parent_id: "7", parent_type: "collection", updated_at: 1_700_000_000, ...extra,
  });
  const sync = (token = "ic-secret-token") => syncInto(work, { connector: "intercom-articles", name: "intercom", apiUrl }, { INTERCOM_TOKEN: token });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-intercom-"));
    fake.articles.push(
      article("11", "Inviting teammates", "<p>Open Settings &gt; Team and click Invite.</p><details><summary>Can guests see billing?</summary><p>No, only admins can.</p></details>"),
      article("12", "Exporting conversations", "<h2 id='csv'>As CSV</h2><p>Reports &gt; Export gives a CSV of the period you pick.</p>"),
      article("13", "Draft: SSO", "<p>Soon.</p>", { state: "draft" }),
    );
    apiUrl = await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("indexes published articles with the website extraction, tagged with their collection; unchanged articles cost nothing; a deleted one leaves", async () => {
    fake.rateLimits = 1;
    const first = await sync();
    expect(first.error).toBeUndefined();
    const docs = await docsIn(work);
    expect([...docs.keys()].sort()).toEqual(["intercom:11", "intercom:11#faq-can-guests-see-billing", "intercom:12#csv"]);
    expect(docs.get("intercom:12#csv")).toMatchObject({ title: "Exporting conversations — As CSV", url: "https://intercom.help/acme/en/articles/12#csv", tags: ["Getting started"] });
    expect(docs.get("intercom:11#faq-can-guests-see-billing")).toMatchObject({ kind: "faq" });

    const second = await sync();
    expect(second.counts).toMatchObject({ unchanged: 3, chunksEmbedded: 0 });

    fake.articles.splice(0, 1);
    const third = await sync();
    expect(third.counts).toMatchObject({ deleted: 2, unchanged: 1 });
  });

  it("a refused token fails the source with SOURCE_AUTH_FAILED naming the variable", async () => {
    const result = await sync("nope");
    expect(result.error).toMatchObject({ code: "SOURCE_AUTH_FAILED", message: expect.stringContaining("INTERCOM_TOKEN") });
  });
});

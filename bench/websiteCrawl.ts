import type { Embedder } from "../src/knowledge/Embedder.js";
import { LocalKnowledgeStore } from "../src/knowledge/LocalKnowledgeStore.js";
import type { ConfiguredSource } from "../src/sync/configuredSources.js";
import { syncSources, type SourceSyncResult } from "../src/sync/syncSources.js";
import { helpPage, TestHelpSite } from "../connectors/website/TestHelpSite.js";
import { WebsiteConnector, type CrawlStats } from "../connectors/website/index.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { Recorder, type BenchRow } from "./lib/report.js";

const PAGES = 5_000;
const CONCURRENCY = 4;

/**
 * Crawl rate of the website connector on a generated help center served from this process on
 * 127.0.0.1 (so the site's own work shares the CPU): (a) a plain-fetch baseline, every page GET
 * at concurrency 4 with nothing else; (b) the first sync (fetch, parse, embed with USE-lite, index),
 * split into fetch, parse and embed time; (c) the re-crawl with nothing changed, which should parse
 * and embed nothing (every page a 304) in under 10 s; (d) the connector alone (no index, no
 * embedding) on 5,000 pages even with --quick: a first crawl and an unchanged re-crawl.
 */
export async function benchWebsiteCrawl(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("website");
  const pages = options.quick ? 500 : PAGES;
  const site = new TestHelpSite();
  const base = await site.start();
  try {
    const paths = generateSite(site, pages);
    console.log(`\n[website] generated a ${pages}-page help center on ${base} (sitemap index, ~${Math.round(averageBytes(site, paths) / 100) / 10} kB pages)`);

    const baseline = await plainFetch(paths.map((p) => `${base}${p}`), CONCURRENCY);
    rec.record(`(a) baseline: plain fetch() GET of every page, concurrency ${CONCURRENCY}`, pages / (baseline / 1000), "pages/s");

    // (d) first, on the full 5,000 pages even with --quick: the connector alone (no index), crawl then re-crawl.
    await crawlAlone(site, base, rec);

    const embedder = timedEmbedder(await options.embedder());
    const store = await LocalKnowledgeStore.open({ embedder });
    const run = async () => {
      const connector = new WebsiteConnector({ sitemap: `${base}/sitemap.xml`, concurrency: CONCURRENCY, maxPages: pages + 10 });
      const source: ConfiguredSource = { name: "help", connector: "website", create: () => connector };
      embedder.ms = 0;
      const started = performance.now();
      const [result] = await syncSources({ store, embedder, sources: [source] });
      const ms = performance.now() - started;
      if (result?.error) throw new Error(`website bench: the crawl failed: ${result.error.message}`);
      return { ms, result: result!, stats: connector.lastStats!, embedMs: embedder.ms };
    };

    const first = await run();
    report("(b) first crawl", first, pages);
    rec.record(`(b) first sync, ${pages} pages: fetch + parse + embed + index`, pages / (first.ms / 1000), "pages/s");
    rec.record("(b) wall time of that sync", first.ms / 1000, "s");
    rec.record("(b) fetch time (summed over the 4 requests in flight)", first.stats.fetchMs / 1000, "s");
    rec.record("(b) parse time (extraction + sections)", first.stats.parseMs / 1000, "s");
    rec.record("(b) embed time (USE-lite)", first.embedMs / 1000, "s");
    rec.record("(b) crawl rate vs the plain-GET baseline", pages / (first.ms / 1000) / (pages / (baseline / 1000)), "x");

    const second = await run();
    report("(c) re-crawl, nothing changed", second, pages);
    rec.record(`(c) re-crawl of ${pages} unchanged pages`, second.ms / 1000, "s", { op: "<", value: 10 });
    rec.record(`(c) of which the crawl itself (sitemaps + ${pages} conditional GETs)`, second.stats.crawlMs / 1000, "s");
    rec.record("(c) conditional GETs per second in the re-crawl", second.stats.fetched / (second.stats.crawlMs / 1000), "pages/s");
    rec.record("(c) pages parsed in the re-crawl", second.stats.parsed, "pages", { op: "==", value: 0 });
    rec.record("(c) chunks embedded in the re-crawl", second.result.counts?.chunksEmbedded ?? -1, "chunks", { op: "==", value: 0 });
    rec.record("(c) re-crawl speed-up over the first sync", first.ms / second.ms, "x");
  } finally {
    await site.stop();
  }
  return rec.rows;
}

async function crawlAlone(site: TestHelpSite, base: string, rec: Recorder): Promise<void> {
  const saved = site.sitemap;
  const paths = generateSite(site, PAGES, "/alone/");
  let state: unknown;
  const crawl = async () => {
    const connector = new WebsiteConnector({ sitemap: `${base}/sitemap.xml`, concurrency: CONCURRENCY, maxPages: PAGES + 10 });
    let docs = 0;
    for await (const _doc of connector.pull({ ...(state !== undefined ? { state } : {}), saveState: (s) => (state = s) })) docs++;
    return { stats: connector.lastStats!, docs };
  };
  const first = await crawl();
  console.log(`    (d) connector alone, ${PAGES} pages: ${first.docs} docs, crawl ${(first.stats.crawlMs / 1000).toFixed(1)} s, parse ${(first.stats.parseMs / 1000).toFixed(1)} s`);
  rec.record(`(d) connector alone: first crawl of ${PAGES} pages (fetch + parse, no embedding)`, PAGES / (first.stats.crawlMs / 1000), "pages/s");
  const again = await crawl();
  rec.record(`(d) connector alone: re-crawl of ${PAGES} unchanged pages`, again.stats.crawlMs / 1000, "s", { op: "<", value: 10 });
  rec.record("(d) pages parsed in that re-crawl", again.stats.parsed, "pages", { op: "==", value: 0 });
  for (const path of paths) site.pages.delete(path);
  site.sitemap = saved;
}

function generateSite(site: TestHelpSite, pages: number, prefix = "/help/"): string[] {
  site.robots = "User-agent: *\nDisallow: /admin/\n";
  const topics = ["billing", "account", "security", "integrations", "exports", "teams", "mobile", "api"];
  const paths: string[] = [];
  for (let i = 0; i < pages; i++) {
    const topic = topics[i % topics.length]!;
    const path = `${prefix}${topic}/article-${i}`;
    paths.push(path);
    const n = (k: number) => (i * 7 + k) % 97;
    site.pages.set(path, {
      html: helpPage(
        `${topic} article ${i}`,
        `<h1>${topic[0]!.toUpperCase()}${topic.slice(1)} article ${i}</h1><p>This article explains setting ${i} of the ${topic} area: where to find it, who can change it and what happens to existing data when it changes. Admins see it under Settings &gt; ${topic}; members see it read-only.</p>
<h2 id="steps">Steps</h2><ol><li>Open Settings &gt; ${topic}.</li><li>Choose option ${n(1)} and confirm with your password.</li><li>Wait up to ${n(2)} minutes for the change to reach every device.</li></ol><p>Workspaces on the Basic plan can change it ${n(3)} times a day; Business plans have no limit. Changes are logged in the audit log for ${n(4)} days.</p>
<h2 id="undo">Can I undo the change for setting ${i}?</h2><p>Yes: within ${n(5)} hours, open the audit log and choose Revert next to the change.</p>`,
      ),
    });
  }
  const half = Math.ceil(paths.length / 2);
  site.sitemap = [paths.slice(0, half), paths.slice(half)];
  return paths;
}

async function plainFetch(urls: readonly string[], concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const response = await fetch(urls[next++]!);
        await response.arrayBuffer();
      }
    }),
  );
  return performance.now() - started;
}

function timedEmbedder(inner: Embedder): Embedder & { ms: number } {
  const wrapper = Object.create(inner) as Embedder & { ms: number };
  wrapper.ms = 0;
  wrapper.embed = async (texts, options) => {
    const started = performance.now();
    try {
      return await inner.embed(texts, options);
    } finally {
      wrapper.ms += performance.now() - started;
    }
  };
  return wrapper;
}

function report(label: string, run: { ms: number; result: SourceSyncResult; stats: CrawlStats; embedMs: number }, pages: number): void {
  const { stats, result } = run;
  console.log(
    `    ${label}: ${pages} pages in ${(run.ms / 1000).toFixed(1)} s; ${stats.fetched} fetched (${stats.notModified} answered 304), ${stats.parsed} parsed; ` +
      `${result.counts?.read} docs read, ${result.counts?.added} added, ${result.counts?.chunksEmbedded} chunks embedded`,
  );
}

function averageBytes(site: TestHelpSite, paths: readonly string[]): number {
  const sample = paths.slice(0, 50).map((p) => site.pages.get(p)).map((p) => (p && "html" in p ? p.html.length : 0));
  return sample.reduce((s, x) => s + x, 0) / sample.length;
}

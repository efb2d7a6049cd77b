import { describe, expect, it } from "vitest";
import { helpPage, TestHelpSite } from "./TestHelpSite.js";
import { WebsiteConnector } from "./WebsiteConnector.js";

describe("WebsiteConnector limits", () => {
  it("keeps at most `concurrency` requests in flight, stops at maxPages with a report, and honours include/exclude", async () => {
    const site = new TestHelpSite();
    const base = await site.start();
    try {
      const paths = Array.from({ length: 12 }, (_, i) => `/kb/article-${i}`);
      for (const path of paths) site.pages.set(path, { html: helpPage(path, `<h1>${path}</h1><p>Text of ${path}.</p>`), delayMs: 100 });
      site.pages.set("/kb/drafts/x", { html: helpPage("x", "<h1>x</h1><p>draft</p>") });
      site.sitemap = [[...paths, "/kb/drafts/x"], []];
      const issues: string[] = [];
      const pull = async (options: ConstructorParameters<typeof WebsiteConnector>[0]) => {
        const ids: string[] = [];
        for await (const doc of new WebsiteConnector(options).pull({ onIssue: (i) => issues.push(i.message) })) ids.push(doc.id);
        return ids;
      };
      const all = await pull({ sitemap: `${base}/sitemap.xml`, concurrency: 3, exclude: ["*/drafts/*"] });
      expect(all).toHaveLength(12);
      // Never more than asked for; and more than one at a time, or concurrency would mean nothing.
      expect(site.maxInFlight).toBeLessThanOrEqual(3);
      expect(site.maxInFlight).toBeGreaterThan(1);
      expect(site.requestsTo("/kb/drafts/x")).toEqual([]);
      const limited = await pull({ sitemap: `${base}/sitemap.xml`, maxPages: 5, include: [`${base}/kb/article-*`] });
      expect(limited).toHaveLength(5);
      expect(issues.at(-1)).toMatch(/stopped at maxPages \(5\)/);
    } finally {
      await site.stop();
    }
  });
});

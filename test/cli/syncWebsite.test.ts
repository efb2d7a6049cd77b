import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helpPage, TestHelpSite } from "../../connectors/website/TestHelpSite.js";
import { runCli } from "../support/runCli.js";

interface RunSummary {
  results: { name: string; connector: string; counts?: Record<string, number>; error?: { code: string; message: string } }[];
}

describe("llamadesk sync with a website source (built bin)", () => {
  const site = new TestHelpSite();
  let work: string;
  const sync = async () => {
    const result = await runCli(["sync", "--json", "--no-mine"], { cwd: work, env: { LLAMADESK_CONFIG: "", HELP_COOKIE: "session=cli-test-cookie" } });
    return { ...result, run: JSON.parse(result.stdout.trim().split("\n").filter((l) => l.startsWith("{"))[0] ?? "{}") as RunSummary };
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-website-cli-"));
    const base = await site.start();
    site.pages.set("/help/", { html: helpPage("Help", `<h1>Help</h1><p>Start here for billing questions.</p><a href="/help/refunds">Refunds</a>`) });
    site.pages.set("/help/refunds", { html: helpPage("Refunds", `<h1>Refunds</h1><h2 id="window">How long do I have to ask for a refund?</h2><p>30 days from purchase.</p>`) });
    site.pages.set("/help/broken", { error: 500 });
    site.sitemap = [["/help/broken"], []];
    await writeFile(
      join(work, "llamadesk.config.json"),
      JSON.stringify({ index: "index", sources: [{ connector: "website", name: "help-center", startUrls: [`${base}/help/`], sitemap: `${base}/sitemap.xml`, headers: { Cookie: "HELP_COOKIE" } }] }),
    );
  });
  afterAll(async () => {
    await site.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("crawls from the config file, warns about the failing page by URL, and the next run embeds nothing", async () => {
    const first = await sync();
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.run.results[0]).toMatchObject({ name: "help-center", connector: "website", counts: { added: 2, issues: 1 } });
    expect(first.stderr).toMatch(/warning: help-center: .*\/help\/broken.*HTTP 500/);
    expect(site.requests.filter((r) => r.path.startsWith("/help/")).every((r) => r.headers.cookie === "session=cli-test-cookie")).toBe(true);
    expect(first.stdout + first.stderr).not.toContain("cli-test-cookie");

    const second = await sync();
    expect(second.code, second.stderr).toBe(0);
    expect(second.run.results[0]!.counts).toMatchObject({ added: 0, updated: 0, deleted: 0, unchanged: 2, chunksEmbedded: 0 });
  });
});

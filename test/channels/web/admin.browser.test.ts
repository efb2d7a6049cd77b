import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebConfig } from "../../../src/channels/web/webConfig.js";
import { WebChannel } from "../../../src/channels/web/WebChannel.js";
import type { InsightsReport } from "../../../src/insights/InsightsReport.js";
import { SqliteHandoffTicketStore } from "../../../src/store/SqliteHandoffTicketStore.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";
import { runCli } from "../../support/runCli.js";
import { ARTIFACTS, launchChromium } from "./browser.js";

// The admin console in a real browser against the real server, on conversations the bot recorded through bot.ask
// (USE-lite, the sample FAQ's HNSW + BM25 index, SQLite): its numbers are `llamadesk report --json`'s.
const TOKEN = "admin-token-for-the-browser-test";
let local: LocalBot;
let tickets: SqliteHandoffTicketStore;
let channel: WebChannel;
let browser: Browser;

async function ask(conversationId: string, text: string, channelName: string): Promise<string | undefined> {
  let turnId: string | undefined;
  for await (const event of local.bot.ask({ conversationId, text, channel: channelName, user: "U1" })) {
    if (event.type === "done" || event.type === "abstained") turnId = event.turnId;
    if (event.type === "error") throw new Error(event.message);
  }
  return turnId;
}

beforeAll(async () => {
  local = await startLocalBot({ model: "none", policy: { product: "Tidepool" } });
  await ask("w1", "How do I stop Tidepool from using all my bandwidth?", "web");
  await ask("w2", "What is the airspeed velocity of an unladen swallow?", "web");
  const answered = await ask("s1", "How do I stop Tidepool from using all my bandwidth?", "slack");
  await local.bot.feedback({ turnId: answered!, userId: "U1", vote: "down" });
  await ask("s2", "I want to talk to a human", "slack");
  tickets = await SqliteHandoffTicketStore.open({ path: join(local.dir, "handoff-tickets.sqlite") });
  channel = new WebChannel({ config: parseWebConfig({}), tickets, port: 0, admin: { token: TOKEN, store: local.store, tickets } });
  await channel.start(local.bot);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await channel?.stop();
  await tickets?.dispose();
  await local?.dispose();
});

const metric = (page: Page, name: string) => page.locator(`[data-metric="${name}"]`);

describe("the admin console in Chromium", () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => page?.close());

  it("refuses a wrong token, signs in with the right one, and shows the numbers `llamadesk report --json` gives", async () => {
    await page.goto(`${channel.url}/admin`);
    await page.getByLabel("Admin token").fill("not-the-token-at-all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not the admin token");

    await page.getByLabel("Admin token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => metric(page, "asked").textContent(), { timeout: 30_000 }).toBe("4");
    const cookie = (await page.context().cookies()).find((c) => c.name === "llamadesk_admin");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/admin" });
    // The session cookie is out of the page's scripts' reach.
    expect(await page.evaluate(() => document.cookie)).toBe("");

    const cli = await runCli(["report", "--json", "--store", join(local.dir, "conversations.sqlite"), "--index", join(local.dir, "no-index"), "--since", "7d"]);
    expect(cli.code, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as InsightsReport;
    expect(report.totals).toMatchObject({ asked: 4, answered: 2, abstained: 1, handedOff: 1, thumbsDown: 1, deflectionRate: 0.5 });
    expect(await metric(page, "deflectionRate").textContent()).toBe(`${Math.round(report.totals.deflectionRate! * 100)}%`);
    for (const name of ["answered", "abstained", "handedOff", "conversations", "thumbsUp", "thumbsDown"] as const) {
      expect(await metric(page, name).textContent(), name).toBe(String(report.totals[name]));
    }
    expect(await page.locator("#chart-questions canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("#chart-deflection canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("#channels tbody tr").allTextContents()).toEqual([expect.stringMatching(/^slack2/), expect.stringMatching(/^web2/)]);
    await page.screenshot({ path: join(ARTIFACTS, "admin-overview.png"), fullPage: true });
  }, 120_000);

  it("opens the Gaps page from the keyboard and lists the questions the bot failed on", async () => {
    await page.getByRole("link", { name: "Gaps" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#gaps").isVisible()).toBe(true);
    expect(await page.locator("#overview").isVisible()).toBe(false);
    expect(await page.getByRole("link", { name: "Gaps" }).getAttribute("aria-current")).toBe("page");
    const rows = page.locator("#gap-table tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    const text = (await rows.allTextContents()).join("\n");
    expect(text).toContain("What is the airspeed velocity of an unladen swallow?");
    expect(text).toContain("How do I stop Tidepool from using all my bandwidth?"); // the 👎
    expect(text).not.toContain("talk to a human"); // a request for a human is not a gap
    await page.screenshot({ path: join(ARTIFACTS, "admin-gaps.png"), fullPage: true });
  }, 60_000);

  it("filters by channel", async () => {
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByLabel("Channel").selectOption("slack");
    await expect.poll(() => metric(page, "asked").textContent()).toBe("2");
    expect(await metric(page, "handedOff").textContent()).toBe("1");
  }, 60_000);

  it("fits a tablet without scrolling sideways", async () => {
    const tablet = await browser.newPage({ viewport: { width: 768, height: 1024 } });
    try {
      await tablet.context().addCookies(await page.context().cookies());
      await tablet.goto(`${channel.url}/admin`);
      await expect.poll(() => metric(tablet, "asked").textContent(), { timeout: 30_000 }).toBe("4");
      expect(await tablet.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await tablet.screenshot({ path: join(ARTIFACTS, "admin-overview-tablet.png"), fullPage: true });
    } finally {
      await tablet.close();
    }
  }, 60_000);
});

import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SqliteHandoffTicketStore } from "../../../src/store/SqliteHandoffTicketStore.js";
import { startWidgetStack, widgetOn, type WidgetStack } from "./browser.js";

// The widget in Chromium against the real server and bot, whose chat model is on an OpenAI-compatible server
// (a loopback one generating with the tiny Llama 2 GGUF through llama.cpp): tokens cross two wires to the page.

const QUESTION = "How do I stop Tidepool from using all my bandwidth?";
let stack: WidgetStack;
let page: Page;
beforeAll(async () => {
  stack = await startWidgetStack({ model: "server", policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 48 } } }, (bot) =>
    SqliteHandoffTicketStore.open({ path: join(bot.dir, "tickets.sqlite") }),
  );
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);
afterAll(async () => {
  await page?.close();
  await stack?.close();
});

it("streams an answer from the model server into the widget, with its sources", async () => {
  await page.goto(`${stack.channel.url}/`);
  const w = widgetOn(page);
  await w.launcher.click();
  await expect.poll(() => w.panel.isVisible()).toBe(true);
  // Every text the answer bubble shows while it streams.
  await page.evaluate(() => {
    const texts: string[] = [];
    (window as unknown as { bubbleTexts: string[] }).bubbleTexts = texts;
    const log = document.querySelector("llamadesk-widget")!.shadowRoot!.querySelector(".log")!;
    new MutationObserver(() => {
      const bubbles = log.querySelectorAll(".msg.bot .bubble");
      const text = bubbles[bubbles.length - 1]?.textContent ?? "";
      if (texts.at(-1) !== text) texts.push(text);
    }).observe(log, { subtree: true, childList: true, characterData: true });
  });
  await w.input.fill(QUESTION);
  await w.input.press("Enter");
  const bot = w.bots.last();
  await bot.locator(".sources li").first().waitFor({ timeout: 60_000 });
  const shown = (await page.evaluate(() => (window as unknown as { bubbleTexts: string[] }).bubbleTexts)).filter((t) => !t.includes("Thinking") && t.length > 0);
  // Streamed: text showed before the final render, and grew.
  expect(shown.length).toBeGreaterThanOrEqual(2);
  expect(shown[0]!.length).toBeLessThan(shown.at(-1)!.length);
  expect(await bot.locator(".sources").textContent()).toMatch(/\.(md|json|csv):\d+/);

  const completions = stack.local.modelServer!.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(completions).toHaveLength(1);
  expect(completions[0]!.clientClosed).toBe(false);
  const conversationId = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("llamadesk:conversation:"))![1]);
  const history = await stack.local.bot.history(conversationId);
  expect(history.at(-1)).toMatchObject({ role: "assistant", outcome: "answered", mode: "generative" });
});

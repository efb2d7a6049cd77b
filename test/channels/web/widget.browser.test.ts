import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebChannel } from "../../../src/channels/web/WebChannel.js";
import { SqliteHandoffTicketStore } from "../../../src/store/SqliteHandoffTicketStore.js";
import { parseMarkdown, type Inline } from "../../../src/channels/web/widget/markdown.js";
import type { LocalBot } from "../../support/localBot.js";
import { ARTIFACTS, startWidgetStack, widgetOn, type WidgetStack } from "./browser.js";

// The widget in a real browser against the real server and the real local bot: USE-lite, HNSW + BM25,
// SQLite, and the tiny random-weight Llama 2 GGUF through llama.cpp (its words are gibberish: these
// tests check what the widget does with them, not what they say).

const QUESTION = "How do I stop Tidepool from using all my bandwidth?";
let local: LocalBot;
let shop: WidgetStack["site"];
let tickets: SqliteHandoffTicketStore;
let channel: WebChannel;
let browser: Browser;
let stack: WidgetStack;
beforeAll(async () => {
  stack = await startWidgetStack({ model: "tiny", policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 48 } } }, async (bot) => {
    tickets = await SqliteHandoffTicketStore.open({ path: join(bot.dir, "tickets.sqlite") });
    return tickets;
  });
  ({ local, channel, browser, site: shop } = stack);
}, 120_000);
afterAll(async () => stack?.close());

const widget = widgetOn;

/** The text a Markdown answer shows (the bubble's textContent). */
function markdownText(source: string): string {
  const inline = (nodes: Inline[]): string => nodes.map((n) => (n.t === "text" || n.t === "code" ? n.v : n.t === "br" ? "" : inline(n.c))).join("");
  return parseMarkdown(source)
    .map((b) => (b.t === "pre" ? b.v : "items" in b ? b.items.map(inline).join("") : b.t === "table" ? [b.head, ...b.rows].flat().map(inline).join("") : inline(b.c)))
    .join("");
}

/** What has keyboard focus, looking into the widget's shadow root: "launcher", "input", a tag name... */
const focused = (page: Page) =>
  page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement;
    if (!inner) return host?.tagName.toLowerCase() ?? "";
    return inner.id === "ld-input" ? "input" : (inner.className || inner.tagName.toLowerCase()).toString();
  });

/** Every text the last bot bubble showed while it streamed, recorded in the page. */
async function recordBubbleTexts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const texts: string[] = [];
    (window as unknown as { bubbleTexts: string[] }).bubbleTexts = texts;
    const log = document.querySelector("llamadesk-widget")!.shadowRoot!.querySelector(".log")!;
    new MutationObserver(() => {
      const bubbles = log.querySelectorAll(".msg.bot .bubble");
      const last = bubbles[bubbles.length - 1];
      const text = last?.textContent ?? "";
      if (texts.at(-1) !== text) texts.push(text);
    }).observe(log, { subtree: true, childList: true, characterData: true });
  });
}

describe("the widget on the demo page", () => {
  let page: Page;
  let turnId: string;
  let answerText: string;
  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => page?.close());

  it("opens from the launcher, streams an answer with sources, and takes a 👍 that the server stores", async () => {
    await page.goto(`${channel.url}/`);
    const w = widget(page);
    await expect.poll(() => w.launcher.isVisible()).toBe(true);
    expect(await w.panel.isVisible()).toBe(false);
    await w.launcher.click();
    await expect.poll(() => w.panel.isVisible()).toBe(true);
    expect(await w.launcher.getAttribute("aria-expanded")).toBe("true");
    expect(await focused(page)).toBe("input");
    expect(await page.locator("llamadesk-widget .greeting").textContent()).toContain("Ask me anything about Tidepool");

    await recordBubbleTexts(page);
    await w.input.fill(QUESTION);
    await w.input.press("Enter");
    const bot = w.bots.last();
    await bot.locator(".sources li").first().waitFor({ timeout: 30_000 });
    expect(await w.users.last().textContent()).toContain(QUESTION);
    const texts = await page.evaluate(() => (window as unknown as { bubbleTexts: string[] }).bubbleTexts);
    expect(texts[0]).toContain("Thinking");
    // Streamed: text showed before the final render, and grew.
    const shown = texts.filter((t) => !t.includes("Thinking") && t.length > 0);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown[0]!.length).toBeLessThan(shown.at(-1)!.length);
    answerText = (await bot.locator(".bubble").textContent())!;
    expect(answerText.length).toBeGreaterThan(0);
    expect(await bot.locator(".sources li").count()).toBeGreaterThan(0);
    expect(await bot.locator(".sources").textContent()).toMatch(/\.(md|json|csv):\d+/);

    const history = await local.bot.history((await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("llamadesk:conversation:"))![1]))!);
    turnId = history.at(-1)!.id;
    // The answer shown is the one stored, rendered as Markdown (the tiny model's gibberish may hold * or _).
    expect(history.at(-1)).toMatchObject({ role: "assistant", outcome: "answered" });
    expect(answerText).toBe(markdownText(history.at(-1)!.text));

    const up = bot.getByRole("button", { name: "Helpful", exact: true });
    await up.click();
    await expect.poll(() => bot.locator(".thanks").textContent()).toBe("Thanks for your feedback!");
    expect(await up.getAttribute("aria-pressed")).toBe("true");
    expect(await local.store.feedback(turnId)).toEqual({ up: 1, down: 0 });
    await page.screenshot({ path: join(ARTIFACTS, "widget-desktop.png") });
  });

  it("sends the handoff form, which the server stores as a ticket", async () => {
    const w = widget(page);
    await page.locator("llamadesk-widget .footer button").click();
    const form = page.locator("llamadesk-widget form.handoff");
    await expect.poll(() => form.isVisible()).toBe(true);
    expect(await focused(page)).toBe("input"); // the name field (an <input>)
    expect(await form.locator("textarea").inputValue()).toBe(QUESTION); // the last question, to edit
    await form.getByLabel("Name").fill("Ada Lovelace");
    await form.getByLabel("Email").fill("ada@example.com");
    await form.getByLabel("How can we help?").fill("The limit resets after every restart.");
    await page.screenshot({ path: join(ARTIFACTS, "widget-handoff-form.png") });
    await form.getByRole("button", { name: "Send to the team" }).click();
    await expect.poll(() => form.isVisible()).toBe(false);
    expect(await page.locator("llamadesk-widget .note").last().textContent()).toBe("Thanks! Our team will reply to ada@example.com.");
    expect(await w.input.isVisible()).toBe(true);
    const [ticket] = await tickets.list();
    expect(ticket).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com", message: "The limit resets after every restart.", webhook: "none" });
    expect(ticket!.conversationId).toMatch(/^web-/);
  });

  it("keeps the conversation across a reload: the history comes back", async () => {
    await page.reload();
    const w = widget(page);
    await w.launcher.click();
    await w.bots.first().waitFor();
    expect(await w.users.allTextContents()).toEqual([`You${QUESTION}`]);
    expect((await w.bots.first().locator(".bubble").textContent())!.trim()).toBe(answerText.trim());
    expect(await w.bots.first().locator(".sources li").count()).toBeGreaterThan(0);
  });
});

describe("the widget at 320 px and with the keyboard alone", () => {
  it("fits a 320 px wide screen", async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    try {
      await page.goto(`${channel.url}/`);
      const w = widget(page);
      await w.launcher.click();
      await w.input.fill(QUESTION);
      await w.input.press("Enter");
      await w.bots.last().locator(".sources li").first().waitFor({ timeout: 30_000 });
      const box = (await w.panel.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(320);
      expect(box.y + box.height).toBeLessThanOrEqual(640);
      const send = (await page.locator("llamadesk-widget .send").boundingBox())!;
      expect(send.x + send.width).toBeLessThanOrEqual(320);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await page.screenshot({ path: join(ARTIFACTS, "widget-320px.png") });
    } finally {
      await page.close();
    }
  });

  it("works with the keyboard alone: open, ask, vote, close, with visible focus", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${channel.url}/`);
      const w = widget(page);
      await w.launcher.waitFor();
      for (let i = 0; i < 20 && (await focused(page)) !== "launcher"; i++) await page.keyboard.press("Tab");
      expect(await focused(page)).toBe("launcher");
      const outline = await w.launcher.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).toBe("solid"); // :focus-visible
      await page.keyboard.press("Enter");
      await expect.poll(() => w.panel.isVisible()).toBe(true);
      expect(await focused(page)).toBe("input");
      await page.keyboard.type(QUESTION);
      await page.keyboard.press("Enter");
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 30_000 });
      // From the input, Shift+Tab walks back through the answer to its 👎.
      for (let i = 0; i < 10 && (await page.evaluate(() => document.querySelector("llamadesk-widget")!.shadowRoot!.activeElement?.getAttribute("aria-label"))) !== "Not helpful"; i++) {
        await page.keyboard.press("Shift+Tab");
      }
      await page.keyboard.press("Space");
      const down = w.bots.last().getByRole("button", { name: "Not helpful" });
      await expect.poll(() => down.getAttribute("aria-pressed")).toBe("true");
      await page.keyboard.press("Escape");
      await expect.poll(() => w.panel.isVisible()).toBe(false);
      expect(await focused(page)).toBe("launcher");
      expect(await w.launcher.getAttribute("aria-expanded")).toBe("false");
    } finally {
      await page.close();
    }
  });
});

describe("the widget on a hostile host page", () => {
  it("keeps its look when the page's CSS tries to restyle everything, and its CSS does not leak out", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      shop.pages.set(
        "/hostile",
        `<!doctype html><html><head><style>
            * { all: unset !important; color: red !important; background: lime !important; font: italic 40px/3 serif !important; border: 6px dashed purple !important; margin: 30px !important; padding: 30px !important; box-sizing: content-box !important; }
            llamadesk-widget, llamadesk-widget * { display: none !important; visibility: hidden !important; opacity: 0 !important; transform: scale(0.2) !important; position: static !important; }
            button, textarea, div, section, p, ul, li, a { width: 10px !important; height: 10px !important; }
            html, body { display: block !important; }
          </style></head><body><p id="probe">Shop</p><button id="buy">Buy</button></body></html>`,
      );
      await page.goto(`${shop.origin}/hostile`);
      const probe = () => page.evaluate(() => ["#probe", "#buy"].map((s) => JSON.stringify(Object.fromEntries(["color", "font-size", "display", "margin-top"].map((p) => [p, getComputedStyle(document.querySelector(s)!).getPropertyValue(p)])))));
      const before = await probe();
      await page.addScriptTag({ url: `${channel.url}/widget.js` });
      const w = widget(page);
      await expect.poll(() => w.launcher.isVisible()).toBe(true);
      const launcher = (await w.launcher.boundingBox())!;
      expect(launcher.width).toBe(58);
      expect(launcher.x + launcher.width).toBe(1280 - 20);
      expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(11, 98, 196)");
      await w.launcher.click();
      await expect.poll(() => w.panel.isVisible()).toBe(true);
      expect((await w.panel.boundingBox())!.width).toBe(380);
      await w.input.fill(QUESTION);
      await w.input.press("Enter");
      await w.bots.last().locator(".sources li").first().waitFor({ timeout: 30_000 });
      const style = await w.bots.last().locator(".bubble").evaluate((el) => {
        const s = getComputedStyle(el);
        return { color: s.color, fontSize: s.fontSize, fontStyle: s.fontStyle, border: s.borderTopStyle, margin: s.marginTop };
      });
      expect(style).toEqual({ color: "rgb(27, 31, 36)", fontSize: "15px", fontStyle: "normal", border: "none", margin: "0px" });
      expect(await probe()).toEqual(before); // nothing of the widget's CSS reached the page
      await page.screenshot({ path: join(ARTIFACTS, "widget-hostile-page.png") });
    } finally {
      await page.close();
    }
  });
});

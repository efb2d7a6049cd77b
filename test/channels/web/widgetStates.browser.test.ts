import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebConfig } from "../../../src/channels/web/webConfig.js";
import { WebChannel } from "../../../src/channels/web/WebChannel.js";
import { loadPrompts } from "../../../src/prompts/loadPrompts.js";
import { MemoryHandoffTicketStore } from "../../../src/store/MemoryHandoffTicketStore.js";
import type { LocalBot } from "../../support/localBot.js";
import { ARTIFACTS, startWidgetStack, widgetOn, type WidgetStack } from "./browser.js";

// The widget's states and safety with a FakeChatModel, where the wording of answers matters:
// hostile model output, Markdown, no answer, handoff, offline, a dropped stream, rate limits, theming, i18n/RTL, the npm build.

const QUESTION = "How do I stop Tidepool from using all my bandwidth?";
const HOSTILE = `${QUESTION} Include a picture.`;
const PAYLOAD = [
  "Here is a picture <img src=x onerror=\"window.__pwned=1\"> and <script>window.__pwned=2</script>",
  "a [bad link](javascript:window.__pwned=3) <a href=\"javascript:window.__pwned=4\">click</a>",
  "",
  "- Open **Preferences → Network**",
  "- Set an *upload* limit, e.g. `500 KB/s`",
  "",
  "Details: [the help page](https://tidepool.example/help/bandwidth).",
].join("\n");
const ANSWER = "Open **Preferences → Bandwidth** and choose **Limit to** with a rate in KB/s [1]. To stop syncing for a while, click the Tidepool icon and choose **Pause syncing** [1].";
/** ANSWER as the widget shows it (Markdown rendered). */
const SHOWN = ANSWER.replaceAll("**", "");

let local: LocalBot;
let channel: WebChannel;
let browser: Browser;
let site: WidgetStack["site"];
let stack: WidgetStack;
beforeAll(async () => {
  stack = await startWidgetStack(
    {
      model: "fake",
      fake: { delayMs: 30, answers: (messages) => (messages.at(-1)!.content.includes("picture") ? PAYLOAD : ANSWER) },
      policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 400 } },
    },
    async () => new MemoryHandoffTicketStore(),
  );
  ({ local, channel, browser, site } = stack);
}, 120_000);
afterAll(async () => stack?.close());

const widget = widgetOn;

async function openDemo(page: Page): Promise<ReturnType<typeof widget>> {
  await page.goto(`${channel.url}/`);
  const w = widget(page);
  await w.launcher.click();
  await w.input.waitFor();
  return w;
}

async function ask(w: ReturnType<typeof widget>, text: string): Promise<void> {
  await w.input.fill(text);
  await w.input.press("Enter");
}

const storedId = (page: Page) => page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("llamadesk:conversation:"))?.[1]);

describe("answers", () => {
  it("renders model output as safe Markdown: HTML and javascript: links stay inert text", async () => {
    const page = await browser.newPage();
    try {
      await page.addInitScript(() => ((window as unknown as { __pwned?: number }).__pwned = undefined));
      const w = await openDemo(page);
      await ask(w, HOSTILE);
      const bubble = w.bots.last().locator(".bubble");
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(300); // give any injected handler a chance to run
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator("llamadesk-widget .log").locator("img, script, iframe, [onerror], a[href^='javascript' i]").count()).toBe(0);
      expect(await bubble.textContent()).toContain('<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>'); // shown, as text
      expect(await bubble.textContent()).toContain('a bad link <a href="javascript:window.__pwned=4">click</a>'); // an unsafe link keeps its label only
      expect(await bubble.locator("a").evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("target"), a.getAttribute("rel")]))).toEqual([
        ["the help page", "https://tidepool.example/help/bandwidth", "_blank", "noopener noreferrer nofollow"],
      ]);
      expect(await bubble.locator("li").allTextContents()).toEqual(["Open Preferences → Network", "Set an upload limit, e.g. 500 KB/s"]);
      expect(await bubble.locator("li strong").textContent()).toBe("Preferences → Network");
      expect(await bubble.locator("li em").textContent()).toBe("upload");
      expect(await bubble.locator("li code").textContent()).toBe("500 KB/s");
      await page.screenshot({ path: join(ARTIFACTS, "widget-markdown.png") });
    } finally {
      await page.close();
    }
  });

  it("shows the thinking state, then the text as it streams", async () => {
    const page = await browser.newPage();
    try {
      const w = await openDemo(page);
      // Every state the answer's message goes through, recorded in the page as it changes.
      await page.evaluate(() => {
        const states: string[] = [];
        (window as unknown as { states: string[] }).states = states;
        const log = document.querySelector("llamadesk-widget")!.shadowRoot!.querySelector(".log")!;
        new MutationObserver(() => {
          const message = log.querySelector(".msg.bot:not(.greeting)");
          if (!message) return;
          const bubble = message.querySelector(".bubble")!;
          const state = `${message.className} busy=${bubble.getAttribute("aria-busy")} | ${bubble.textContent}`;
          if (states.at(-1) !== state) states.push(state);
        }).observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await ask(w, QUESTION);
      const bot = w.bots.last();
      await bot.locator(".vote").first().waitFor();
      const states = await page.evaluate(() => (window as unknown as { states: string[] }).states);
      expect(states[0]).toBe("msg bot thinking busy=true | Thinking");
      const streamed = states.filter((s) => s.startsWith("msg bot streaming busy=true | Open"));
      // Shown while streaming, growing (how many steps the page sees depends on how the words arrive in its reads).
      expect(streamed.length).toBeGreaterThanOrEqual(2);
      expect(streamed[0]!.length).toBeLessThan(streamed.at(-1)!.length);
      expect(await bot.locator(".bubble").textContent()).toBe(SHOWN);
      expect(await bot.locator(".sources-label").textContent()).toBe("Sources");
      expect(await bot.locator(".bubble").getAttribute("aria-busy")).toBeNull();
      await bot.getByRole("button", { name: "Helpful", exact: true }).click();
      await expect.poll(() => bot.locator(".thanks").textContent()).toBe("Thanks for your feedback!");
      await page.screenshot({ path: join(ARTIFACTS, "widget-answer.png") });
    } finally {
      await page.close();
    }
  });

  it("says when there is no answer and offers a human, whose form opens from there", async () => {
    const page = await browser.newPage();
    try {
      const w = await openDemo(page);
      await ask(w, "What is the boiling point of mercury in kelvin?");
      const bot = w.bots.last();
      await bot.locator(".actions").first().waitFor({ timeout: 30_000 });
      expect(await bot.getAttribute("class")).toContain("abstained");
      expect(await bot.locator(".note").textContent()).toBe("No answer found — a human can help.");
      // The closest entries are not the sources of an answer.
      expect(await bot.locator(".sources-label").textContent()).toBe("Closest matches");
      expect(await bot.locator(".sources").getAttribute("aria-label")).toBe("Closest matches");
      // Scrolled into view: the note and the button under the answer are visible without scrolling.
      const talk = (await bot.getByRole("button", { name: "Talk to a human" }).boundingBox())!;
      const log = (await page.locator("llamadesk-widget .log").boundingBox())!;
      expect(talk.y + talk.height).toBeLessThanOrEqual(log.y + log.height);
      await page.screenshot({ path: join(ARTIFACTS, "widget-no-answer.png") });
      await bot.getByRole("button", { name: "Talk to a human" }).click();
      await expect.poll(() => w.form.isVisible()).toBe(true);
      expect(await w.input.isVisible()).toBe(false);
      await w.form.getByRole("button", { name: "Cancel" }).click();
      await expect.poll(() => w.input.isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("a second miss hands off: both messages over the closest matches, the same after a reload and in the history", async () => {
    const page = await browser.newPage();
    try {
      const w = await openDemo(page);
      await ask(w, "What is the boiling point of mercury in kelvin?");
      await w.bots.last().locator(".actions").first().waitFor({ timeout: 30_000 });
      await ask(w, "Who won the football world cup in 1998?");
      await expect.poll(() => w.form.isVisible(), { timeout: 30_000 }).toBe(true);
      const shown = async () => {
        const bot = w.bots.last();
        return { text: await bot.locator(".bubble").textContent(), label: await bot.locator(".sources-label").textContent(), matches: await bot.locator(".sources li").allTextContents() };
      };
      const live = await shown();
      const prompts = await loadPrompts();
      const [noAnswer, handoff] = [prompts["no-answer"].render({ product: "Tidepool" }), prompts.handoff.render({ product: "Tidepool" })];
      expect(live.text).toBe(`${noAnswer}${handoff}`); // two paragraphs
      expect(live.label).toBe("Closest matches");
      expect(live.matches.length).toBeGreaterThan(0);
      // What the store and the history API keep is what was shown.
      const id = (await storedId(page))!;
      const stored = { text: `${noAnswer}\n\n${handoff}`, outcome: "handoff" };
      expect((await local.bot.history(id)).at(-1)).toMatchObject(stored);
      const api = (await (await fetch(`${channel.url}/api/conversations/${id}`)).json()) as { turns: { text: string; outcome: string }[] };
      expect(api.turns.at(-1)).toMatchObject(stored);
      await page.reload();
      await w.launcher.click();
      await expect.poll(() => w.bots.count(), { timeout: 30_000 }).toBe(2);
      expect(await shown()).toEqual(live);
    } finally {
      await page.close();
    }
  });

  it("opens the handoff form when the customer asks for a human, then stays quiet for the human", async () => {
    const page = await browser.newPage();
    try {
      const w = await openDemo(page);
      await ask(w, "I want to talk to a human please");
      await expect.poll(() => w.form.isVisible(), { timeout: 30_000 }).toBe(true);
      expect(await w.bots.last().locator(".bubble").textContent()).toMatch(/\S/); // the bot's handoff message
      await page.keyboard.press("Escape"); // closes the form, not the panel
      await expect.poll(() => w.input.isVisible()).toBe(true);
      expect(await w.panel.isVisible()).toBe(true);
      await ask(w, "Hello? Is anyone there?");
      await expect.poll(() => page.locator("llamadesk-widget .log > .note").last().textContent(), { timeout: 30_000 }).toBe("Your message was passed on to our team.");
    } finally {
      await page.close();
    }
  });
});

describe("connection states", () => {
  it("waits while offline and sends the question once the connection is back", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const w = await openDemo(page);
      await context.setOffline(true);
      await ask(w, QUESTION);
      await expect.poll(() => w.status.textContent()).toBe("You're offline. Your question will be sent when the connection is back.");
      expect(await w.bots.last().getAttribute("class")).toContain("thinking");
      await page.screenshot({ path: join(ARTIFACTS, "widget-offline.png") });
      await context.setOffline(false);
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 20_000 });
      expect(await w.status.textContent()).toBe("");
      expect((await local.bot.history((await storedId(page))!)).map((t) => t.role)).toEqual(["user", "assistant"]);
    } finally {
      await context.close();
    }
  });

  it("reconnects after a dropped stream and asks again, without a duplicate in the history", async () => {
    const page = await browser.newPage();
    try {
      let attempts = 0;
      await page.route("**/api/conversations/*/messages", (route) => (++attempts === 1 ? route.abort("connectionreset") : route.continue()));
      const w = await openDemo(page);
      await ask(w, QUESTION);
      await expect.poll(() => w.status.textContent()).toBe("Connection lost. Reconnecting…");
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 20_000 });
      expect(attempts).toBe(2);
      expect(await w.status.textContent()).toBe("");
      expect(await w.bots.count()).toBe(1);
      expect((await local.bot.history((await storedId(page))!)).map((t) => t.text)).toEqual([QUESTION, ANSWER]);
    } finally {
      await page.close();
    }
  });

  it("shows the rate limit, disables sending, and keeps the question to send later", async () => {
    const strict = new WebChannel({
      tickets: new MemoryHandoffTicketStore(),
      port: 0,
      host: "127.0.0.1",
      config: parseWebConfig({ rateLimit: { perConversation: { requests: 1, windowSeconds: 60 } } }),
      log: () => {},
    });
    await strict.start(local.bot);
    const page = await browser.newPage();
    try {
      await page.goto(`${strict.url}/`);
      const w = widget(page);
      await w.launcher.click();
      await ask(w, QUESTION);
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 20_000 });
      await ask(w, "And on my phone?");
      await expect.poll(() => w.status.textContent()).toMatch(/^You're sending messages too quickly\. Please wait \d+\u00a0s\.$/);
      // The wait counts down from the window's 60 s; how far it got depends on how fast this machine is.
      const wait = Number(/wait (\d+)/.exec((await w.status.textContent()) ?? "")![1]);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
      expect(await w.send.isDisabled()).toBe(true);
      expect(await w.input.inputValue()).toBe("And on my phone?");
      expect(await w.users.count()).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, "widget-rate-limited.png") });
    } finally {
      await page.close();
      await strict.stop();
    }
  });

  it("starts afresh when the stored conversation is unknown to the server", async () => {
    const page = await browser.newPage();
    try {
      await page.addInitScript((key) => localStorage.setItem(key, `web-${"Z".repeat(32)}`), `llamadesk:conversation:${channel.url}/`);
      const w = await openDemo(page);
      await expect.poll(() => storedId(page)).toBeUndefined();
      expect(await w.bots.count()).toBe(0);
      await ask(w, QUESTION);
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 20_000 });
      expect(await storedId(page)).toMatch(/^web-[A-Za-z0-9_-]{32}$/);
      expect(await storedId(page)).not.toBe(`web-${"Z".repeat(32)}`);
    } finally {
      await page.close();
    }
  });
});

describe("theming, languages and the npm build, on another site", () => {
  it("takes position, accent (CSS custom property), strings and right-to-left from the script tag", async () => {
    site.pages.set(
      "/rtl",
      `<!doctype html><html><head><meta charset="utf-8"><style>llamadesk-widget { --llamadesk-accent: rgb(0, 128, 0); }</style></head><body>
      <script src="${channel.url}/widget.js" data-llamadesk-url="${channel.url}" data-dir="rtl" data-lang="ar" data-position="bottom-left" data-title="الدعم"
        data-strings='{"openChat":"افتح الدردشة","inputPlaceholder":"اكتب سؤالك","send":"إرسال","bogus":1}' async></script></body></html>`,
    );
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      const warnings: string[] = [];
      page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
      await page.goto(`${site.origin}/rtl`);
      const w = widget(page);
      await w.launcher.waitFor();
      expect((await w.launcher.boundingBox())!.x).toBe(20);
      expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(0, 128, 0)");
      expect(await w.launcher.getAttribute("aria-label")).toBe("افتح الدردشة");
      expect(warnings.join("\n")).toContain('ignoring "bogus"');
      await w.launcher.click();
      expect(await page.locator("llamadesk-widget .root").getAttribute("dir")).toBe("rtl");
      expect(await page.locator("llamadesk-widget .root").getAttribute("lang")).toBe("ar");
      expect(await page.locator("llamadesk-widget #ld-title").textContent()).toBe("الدعم");
      expect(await w.input.getAttribute("placeholder")).toBe("اكتب سؤالك");
      expect(await w.send.getAttribute("aria-label")).toBe("إرسال");
      expect((await w.panel.boundingBox())!.x).toBe(20);
      await ask(w, QUESTION); // cross-origin, through the CORS allowlist
      await w.bots.last().locator(".vote").first().waitFor({ timeout: 20_000 });
      const user = (await w.users.last().locator(".bubble").boundingBox())!;
      const bot = (await w.bots.last().locator(".bubble").boundingBox())!;
      expect(user.x).toBeLessThan(bot.x); // mirrored: the customer's messages on the left
      await page.screenshot({ path: join(ARTIFACTS, "widget-rtl.png") });
    } finally {
      await page.close();
    }
  });

  it("mounts from the npm build (import { mountWidget }), with data-accent and string overrides from code", async () => {
    site.pages.set("/avatar.svg", { type: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="orange"/></svg>' });
    site.pages.set("/widget.mjs", { type: "text/javascript", body: await readFile(join(import.meta.dirname, "../../../dist/widget/widget.mjs"), "utf8") });
    site.pages.set(
      "/npm",
      `<!doctype html><html><body><script type="module">
        import { mountWidget, DEFAULT_STRINGS } from "/widget.mjs";
        window.widget = mountWidget({ url: "${channel.url}", title: "Help from npm", accent: "#aa0055", avatar: "/avatar.svg", open: true, strings: { send: "Go" } });
        window.defaults = DEFAULT_STRINGS.send;
      </script></body></html>`,
    );
    const page = await browser.newPage();
    try {
      await page.goto(`${site.origin}/npm`);
      const w = widget(page);
      await expect.poll(() => w.panel.isVisible()).toBe(true); // open: true
      expect(await page.locator("llamadesk-widget #ld-title").textContent()).toBe("Help from npm");
      const avatar = page.locator("llamadesk-widget img.avatar");
      expect(await avatar.getAttribute("src")).toBe(`${site.origin}/avatar.svg`);
      expect(await avatar.getAttribute("alt")).toBe(""); // decorative: the heading names the panel
      expect(await avatar.isVisible()).toBe(true);
      expect(await w.send.getAttribute("aria-label")).toBe("Go");
      expect(await page.evaluate(() => (window as unknown as { defaults: string }).defaults)).toBe("Send");
      expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(170, 0, 85)");
      await page.evaluate(() => (window as unknown as { widget: { close(): void } }).widget.close());
      await expect.poll(() => w.panel.isVisible()).toBe(false);
    } finally {
      await page.close();
    }
  });

  it("is refused by the server on a site not in the allowlist", async () => {
    const page = await browser.newPage();
    try {
      const other = site.origin.replace("localhost", "127.0.0.1"); // same site server, another origin
      site.pages.set("/not-allowed", `<!doctype html><html><body><script src="${channel.url}/widget.js" data-llamadesk-url="${channel.url}"></script></body></html>`);
      await page.goto(`${other}/not-allowed`);
      const w = widget(page);
      await w.launcher.click();
      await ask(w, QUESTION);
      await expect.poll(() => w.bots.last().getAttribute("class"), { timeout: 10_000 }).toContain("failed");
      expect(await w.bots.last().textContent()).toContain("Sorry, something went wrong.");
      expect(await storedId(page)).toBeUndefined();
    } finally {
      await page.close();
    }
  });
});

import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEFAULT_WIDGET_FILE } from "../../../src/channels/web/createWebApp.js";
import { parseWebConfig } from "../../../src/channels/web/webConfig.js";
import { WebChannel } from "../../../src/channels/web/WebChannel.js";
import type { HandoffTicketStore } from "../../../src/store/HandoffTicketStore.js";
import { CHROMIUM } from "../../support/chromium.js";
import { startLocalBot, type LocalBot, type LocalBotOptions } from "../../support/localBot.js";

/** Screenshots and other things to look at after a run (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));

/** Headless Chromium (Debian's, or LLAMADESK_CHROMIUM; npm test installs Debian's when missing) as CI runs it: no sandbox (root in a container), no GPU, no background downloads. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(DEFAULT_WIDGET_FILE)) throw new Error(`${DEFAULT_WIDGET_FILE} is missing: run npm run build first (npm test does).`);
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/**
 * A host site on its own origin (`http://localhost:<port>`, while the llamadesk server is `http://127.0.0.1:<port>`):
 * serves the HTML set in `pages` by path, so the widget runs cross-origin as on a customer's site.
 */
export async function startHostSite(): Promise<{ origin: string; pages: Map<string, string | { type: string; body: string }>; close: () => Promise<void> }> {
  const { createServer } = await import("node:http");
  const pages = new Map<string, string | { type: string; body: string }>();
  const server = createServer((req, res) => {
    const page = pages.get(req.url ?? "/");
    const { type, body } = typeof page === "string" ? { type: "text/html; charset=utf-8", body: page } : (page ?? { type: "text/plain", body: "not found" });
    res.writeHead(page === undefined ? 404 : 200, { "Content-Type": type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    pages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The widget's parts on a page (Playwright's CSS locators look into its open shadow root). */
export function widgetOn(page: Page) {
  const part = (selector: string) => page.locator(`llamadesk-widget ${selector}`);
  return {
    launcher: part(".launcher"),
    panel: part(".panel"),
    input: part("#ld-input"),
    send: part(".send"),
    status: part(".status"),
    /** The bot's messages, without the greeting. */
    bots: part(".msg.bot:not(.greeting)"),
    users: part(".msg.user"),
    form: part("form.handoff"),
  };
}

export interface WidgetStack {
  local: LocalBot;
  channel: WebChannel;
  browser: Browser;
  /** Another origin, listed in `web.origins`. */
  site: Awaited<ReturnType<typeof startHostSite>>;
  close(): Promise<void>;
}

/** The real bot (`startLocalBot`), the web server on 127.0.0.1 allowing a host site's origin, and Chromium. */
export async function startWidgetStack(bot: LocalBotOptions, tickets: (local: LocalBot) => Promise<HandoffTicketStore>): Promise<WidgetStack> {
  const local = await startLocalBot(bot);
  const site = await startHostSite();
  const channel = new WebChannel({ tickets: await tickets(local), port: 0, host: "127.0.0.1", config: parseWebConfig({ origins: [site.origin] }), log: () => {} });
  await channel.start(local.bot);
  const browser = await launchChromium();
  return {
    local,
    channel,
    browser,
    site,
    async close() {
      await browser.close();
      await channel.stop();
      await local.dispose();
      await site.close();
    },
  };
}

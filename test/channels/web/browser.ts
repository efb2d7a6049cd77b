import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { DEFAULT_WIDGET_FILE } from "../../../src/channels/web/createWebApp.js";

/** Debian's chromium (`.ci/run` installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Screenshots and other things to look at after a run (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));

/** Headless Chromium as CI runs it: no sandbox (root in a container), no GPU, no background downloads. */
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

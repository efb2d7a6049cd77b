import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_WIDGET_FILE } from "../../../src/channels/web/createWebApp.js";

// The built widget (npm run build), as sites and bundlers get it.
describe("the widget bundle", () => {
  it("is small: well under 50 kB gzipped", async () => {
    const script = await readFile(DEFAULT_WIDGET_FILE);
    const gzipped = gzipSync(script, { level: 9 }).length;
    console.log(`widget.js: ${(script.length / 1000).toFixed(1)} kB minified, ${(gzipped / 1000).toFixed(1)} kB gzipped`);
    expect(gzipped).toBeLessThan(50_000);
  });

  it("never turns text into HTML: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval", async () => {
    for (const file of [DEFAULT_WIDGET_FILE, join(DEFAULT_WIDGET_FILE, "../widget.mjs")]) {
      const code = await readFile(file, "utf8");
      expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    }
  });

  it("imports without a DOM and without side effects (server-side rendering)", async () => {
    const widget = (await import(pathToFileURL(join(DEFAULT_WIDGET_FILE, "../widget.mjs")).href)) as Record<string, unknown>;
    expect(Object.keys(widget).sort()).toEqual(["DEFAULT_STRINGS", "LlamadeskWidget", "WIDGET_ATTRIBUTES", "defineLlamadeskWidget", "mountWidget"]);
    expect((widget.DEFAULT_STRINGS as { send: string }).send).toBe("Send");
  });
});

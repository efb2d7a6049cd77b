import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";

// The built package, as a user imports it (`npm test` builds first).
const entry = pathToFileURL(fileURLToPath(new URL("../../dist/src/index.js", import.meta.url))).href;
let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "llamadesk-entry-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `script` (ES module text) with a loader hook that reports every import of pg on stderr. */
async function stderrOf(script: string): Promise<string> {
  const hook = join(dir, "hook.mjs");
  await writeFile(hook, `export async function resolve(s, c, next) { if (/^pg(\\/|$)/.test(s)) process.stderr.write("loaded " + s + "\\n"); return next(s, c); }`);
  const full = `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)}); ${script}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", full]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", () => resolve(stderr));
  });
}

test("pg stays out of the main entry until openPostgres is called", async () => {
  expect(await stderrOf(`const m = await import(${JSON.stringify(entry)}); if (!m.PostgresConversationStore) throw new Error("not exported");`)).toBe("");
  // Port 1 on loopback: nothing listens, so it fails fast, after loading pg.
  const opened = await stderrOf(
    `const { openPostgres } = await import(${JSON.stringify(entry)}); await openPostgres("postgresql://x@127.0.0.1:1/db").catch((e) => process.stderr.write(e.code + "\\n"));`,
  );
  expect(opened).toContain("loaded pg");
  expect(opened).toContain("DATABASE_UNREACHABLE");
});

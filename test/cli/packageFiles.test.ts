import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// What `npm install llamadesk` gets: the files `npm pack` would publish (after `npm run build`, as `npm test` does).
const root = join(import.meta.dirname, "..", "..");

function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

describe("the published package", () => {
  it("has every file its bin and exports name, and none of the tests' or benchmarks' build output", () => {
    const files = new Set(packedFiles());
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string>; exports: Record<string, string | Record<string, string>> };
    const targets = [...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)))].map((t) => t.replace(/^\.\//, ""));
    for (const target of targets) {
      expect(existsSync(join(root, target)), `${target} is built`).toBe(true);
      expect(files.has(target), `${target} is published`).toBe(true);
    }
    expect([...files].filter((f) => /^dist\/(test|bench)\//.test(f))).toEqual([]);
    // The prompts are files read at run time.
    for (const prompt of readdirSync(join(root, "prompts"))) expect(files.has(`prompts/${prompt}`), `prompts/${prompt} is published`).toBe(true);
  });
});

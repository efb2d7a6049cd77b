import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../support/runCli.js";

// What npm's wrapper does: start the bin (directly, or through a shell that stays), then die without passing the signal on.
const WRAPPER = `
const [how, ...args] = process.argv.slice(1);
const command = how === "through sh" ? ["sh", ["-c", '"$0" "$@"; exit $?', process.execPath, ...args]] : [process.execPath, args];
const child = require("node:child_process").spawn(...command, {
  stdio: "inherit",
  env: { ...process.env, npm_execpath: "/usr/lib/node_modules/npm/bin/npm-cli.js" },
});
console.log("started");
`;

describe("a long-running command started by a package manager (built bin)", () => {
  let work: string;
  let indexDir: string;
  const groups: number[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-parent-"));
    indexDir = join(work, "index");
    await mkdir(join(work, "faq"));
    await writeFile(join(work, "faq", "faq.md"), "## Is my data encrypted?\n\nYes, in transit and at rest.\n");
    const ingest = await runCli(["ingest", join(work, "faq"), "--index", indexDir]);
    expect(ingest.code, ingest.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const group of groups) {
      try {
        process.kill(-group, "SIGKILL"); // only if a test failed and left the server running
      } catch {
        // gone, as it should be
      }
    }
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    ["SIGTERM", "directly"],
    ["SIGKILL", "directly"],
    ["SIGKILL", "through sh"],
  ] as const)("serve stops when the process that started it gets %s (the bin started %s)", async (signal, how) => {
    const wrapper = spawn(process.execPath, ["-e", WRAPPER, how, CLI, "serve", "--port", "0", "--index", indexDir], {
      env: { ...process.env, LLAMADESK_INDEX: "", PORT: "" },
      detached: true, // a process group of its own, for the clean-up above
    });
    groups.push(wrapper.pid!);
    let output = "";
    // "close" comes once every holder of the pipes has closed them: the wrapper and the server it started.
    const closed = new Promise<void>((resolve) => wrapper.on("close", () => resolve()));
    wrapper.stderr.on("data", (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      wrapper.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        if (/serving on http/.test(output)) resolve();
      });
      void closed.then(() => reject(new Error(`serve ended before listening:\n${output}`)));
    });

    wrapper.kill(signal);
    await closed; // the server has let go of the pipes: it exited (it may wait a moment to be reaped by init)
    expect(output).toContain("stopping");
    expect(output).not.toMatch(/\n\s+at /);
  });
});

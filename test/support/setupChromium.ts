import { spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { planChromium, thisMachine } from "./chromium.js";

/**
 * Global setup of `npm test`: when the run includes the browser tests (`*.browser.test.ts`) and their
 * Chromium is missing, installs Debian's chromium (root on Debian), printing what it runs; otherwise ends
 * the run with one line saying what to install. It exits rather than throws, so that line is all that is printed.
 */
export default function setupChromium(project: TestProject): void {
  if (!project.vitest.state.getPaths().some((file) => file.endsWith(".browser.test.ts"))) return;
  const machine = thisMachine();
  const plan = planChromium(machine);
  if (plan.action === "ready") return;
  if (plan.action === "fail") fail(plan.message);
  else {
    for (const [command, ...args] of plan.commands) {
      process.stderr.write(`The browser tests need Chromium at ${machine.path}; installing it: ${[command, ...args].join(" ")}\n`);
      const run = spawnSync(command!, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      if (run.status !== 0) fail(`${[command, ...args].join(" ")} failed (${run.error?.message ?? `exit code ${run.status}`}): install Debian's chromium yourself (apt-get install chromium), or set LLAMADESK_CHROMIUM to a Chromium binary.`);
    }
    if (!machine.exists(machine.path)) fail(`apt-get install chromium did not put Chromium at ${machine.path}: install it yourself, or set LLAMADESK_CHROMIUM to a Chromium binary.`);
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Where Debian's chromium package puts the browser. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** The Chromium the browser tests drive: LLAMADESK_CHROMIUM when set (the one place the tests read it), else Debian's. */
export const CHROMIUM = process.env.LLAMADESK_CHROMIUM || DEBIAN_CHROMIUM;

/** What the browser tests' setup needs to know about this machine. */
export interface ChromiumMachine {
  /** The binary the tests will launch. */
  path: string;
  /** True when LLAMADESK_CHROMIUM named `path` (then nothing is installed in its place). */
  named: boolean;
  exists: (path: string) => boolean;
  isRoot: boolean;
  /** Debian (or a derivative) with apt-get on the PATH. */
  hasAptGet: boolean;
}

export type ChromiumPlan = { action: "ready" } | { action: "install"; commands: string[][] } | { action: "fail"; message: string };

/**
 * What to do before the browser tests: nothing when the binary is there; install Debian's chromium when
 * it is missing and this is root on Debian; otherwise fail with one line saying exactly what to install.
 */
export function planChromium(machine: ChromiumMachine): ChromiumPlan {
  if (machine.exists(machine.path)) return { action: "ready" };
  if (machine.named) {
    return { action: "fail", message: `LLAMADESK_CHROMIUM is ${machine.path}, which does not exist: point it at a Chromium binary, or unset it to use Debian's chromium (${DEBIAN_CHROMIUM}).` };
  }
  if (machine.hasAptGet && machine.isRoot) {
    return { action: "install", commands: [["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]] };
  }
  const install = machine.hasAptGet ? "install Debian's chromium (sudo apt-get install chromium)" : "install Chromium";
  return { action: "fail", message: `The browser tests need Chromium at ${DEBIAN_CHROMIUM}, which is missing: ${install}, or set LLAMADESK_CHROMIUM to a Chromium binary.` };
}

/** This machine, as `planChromium` sees it. */
export function thisMachine(): ChromiumMachine {
  const onPath = (name: string) =>
    (process.env.PATH ?? "").split(delimiter).some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return {
    path: CHROMIUM,
    named: Boolean(process.env.LLAMADESK_CHROMIUM),
    exists: existsSync,
    isRoot: process.getuid?.() === 0,
    hasAptGet: existsSync("/etc/debian_version") && onPath("apt-get"),
  };
}

import { describe, expect, it } from "vitest";
import { DEBIAN_CHROMIUM, planChromium, type ChromiumMachine } from "../support/chromium.js";

// What npm test does before any test runs (its global setup). The datasets suite's own setup is tested in test/datasets.
describe("planChromium (npm test's setup for the browser tests)", () => {
  const machine = (over: Partial<ChromiumMachine>): ChromiumMachine => ({ path: DEBIAN_CHROMIUM, named: false, exists: () => false, isRoot: true, hasAptGet: true, ...over });

  it("does nothing when the binary is there", () => {
    expect(planChromium(machine({ exists: (p) => p === DEBIAN_CHROMIUM }))).toEqual({ action: "ready" });
    expect(planChromium(machine({ path: "/opt/chrome/chrome", named: true, exists: (p) => p === "/opt/chrome/chrome" }))).toEqual({ action: "ready" });
  });

  it("installs Debian's chromium as root on Debian", () => {
    expect(planChromium(machine({}))).toEqual({ action: "install", commands: [["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]] });
  });

  it("otherwise says in one line exactly what to install", () => {
    const notRoot = planChromium(machine({ isRoot: false }));
    expect(notRoot).toEqual({ action: "fail", message: expect.stringContaining("install Debian's chromium (sudo apt-get install chromium), or set LLAMADESK_CHROMIUM") });
    const notDebian = planChromium(machine({ hasAptGet: false }));
    expect(notDebian).toEqual({ action: "fail", message: expect.stringContaining(`Chromium at ${DEBIAN_CHROMIUM}, which is missing: install Chromium, or set LLAMADESK_CHROMIUM`) });
    // A binary named by LLAMADESK_CHROMIUM is not replaced by an install elsewhere.
    const named = planChromium(machine({ path: "/opt/nothing/chrome", named: true }));
    expect(named).toEqual({ action: "fail", message: expect.stringMatching(/^LLAMADESK_CHROMIUM is \/opt\/nothing\/chrome, which does not exist/) });
    for (const plan of [notRoot, notDebian, named]) expect(plan.action === "fail" && plan.message.includes("\n")).toBe(false);
  });
});

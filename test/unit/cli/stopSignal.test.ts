import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stopSignal } from "../../../src/cli/stopSignal.js";

describe("stopSignal", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it("resolves with the first SIGINT or SIGTERM, and stops listening", async () => {
    const signals = new EventEmitter();
    const stopped = stopSignal(signals, { watchParent: false });
    signals.emit("SIGTERM");
    signals.emit("SIGINT");
    expect(await stopped).toBe("SIGTERM");
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).toBe(0);
  });

  it("watching the parent, resolves once it is gone", async () => {
    vi.useFakeTimers();
    let alive = true;
    const parentAlive = vi.fn(() => alive);
    const stopped = stopSignal(new EventEmitter(), { watchParent: true, parentAlive, everyMs: 1000 });
    vi.advanceTimersByTime(3000);
    expect(parentAlive).toHaveBeenCalledTimes(3);
    alive = false;
    vi.advanceTimersByTime(1000);
    expect(await stopped).toBe("parent process exited");
    vi.advanceTimersByTime(5000);
    expect(parentAlive).toHaveBeenCalledTimes(4); // no more looking once stopped
  });

  it("does not look at the parent unless asked, or started by a package manager", async () => {
    vi.useFakeTimers();
    const parentAlive = vi.fn(() => false);
    const signals = new EventEmitter();
    const stopped = stopSignal(signals, { watchParent: false, parentAlive, everyMs: 1000 });
    vi.advanceTimersByTime(10_000);
    expect(parentAlive).not.toHaveBeenCalled();
    signals.emit("SIGINT");
    expect(await stopped).toBe("SIGINT");

    vi.stubEnv("npm_execpath", "");
    const unwatched = stopSignal(signals, { parentAlive, everyMs: 1000 });
    vi.advanceTimersByTime(10_000);
    expect(parentAlive).not.toHaveBeenCalled();
    signals.emit("SIGINT");
    await unwatched;

    vi.stubEnv("npm_execpath", "/usr/lib/node_modules/npm/bin/npm-cli.js");
    const watched = stopSignal(signals, { parentAlive, everyMs: 1000 });
    vi.advanceTimersByTime(1000);
    expect(await watched).toBe("parent process exited");
  });
});

import { describe, expect, it } from "vitest";
import { InFlight } from "../../../src/channels/InFlight.js";

/** A promise and its resolver, to hold work open until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Work that runs until its signal is aborted, then resolves with the abort's reason. */
const untilAborted = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true }));

describe("InFlight", () => {
  it("run() resolves with the work's result and passes its failure on; stop() with nothing in progress resolves at once", async () => {
    const inFlight = new InFlight();
    expect(await inFlight.run(async () => 42)).toBe(42);
    await expect(inFlight.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await inFlight.stop();
    expect(inFlight.stopping).toBe(true);
  });

  it("stop() aborts the signals of work in progress with its reason and resolves once that work has ended", async () => {
    const inFlight = new InFlight();
    const reason = new Error("stopping");
    const answers = [inFlight.run(untilAborted), inFlight.run(untilAborted)];
    let stopped = false;
    const stopping = inFlight.stop({ reason }).then(() => (stopped = true));
    expect(await Promise.all(answers)).toEqual([reason, reason]);
    await stopping;
    expect(stopped).toBe(true);
  });

  it("once stopping, nothing new starts: run() resolves undefined without running, spawn() does nothing", async () => {
    const inFlight = new InFlight();
    const held = gate();
    const first = inFlight.run(() => held.promise);
    const stopping = inFlight.stop({ graceMs: 60_000 });
    let ran = false;
    expect(await inFlight.run(async () => (ran = true))).toBeUndefined();
    inFlight.spawn(async () => void (ran = true), () => undefined);
    held.open();
    await first;
    await stopping;
    expect(ran).toBe(false);
  });

  it("with graceMs, work in progress may finish on its own: it is not aborted when it ends in time", async () => {
    const inFlight = new InFlight();
    const held = gate();
    let aborted = false;
    const answer = inFlight.run(async (signal) => {
      await held.promise;
      aborted = signal.aborted;
      return "finished";
    });
    const stopping = inFlight.stop({ graceMs: 60_000 });
    held.open();
    await stopping;
    expect(await answer).toBe("finished");
    expect(aborted).toBe(false);
  });

  it("with graceMs, work still running when the grace ends is aborted then", async () => {
    const inFlight = new InFlight();
    const answer = inFlight.run(untilAborted);
    await inFlight.stop({ graceMs: 50 });
    expect(await answer).toBeInstanceOf(DOMException);
    expect(((await answer) as DOMException).name).toBe("AbortError");
  });

  it("spawn() runs work in the background and reports its failure; stop() waits for a handler, whose answer asked for after stopping began does not start", async () => {
    const inFlight = new InFlight();
    const failures: unknown[] = [];
    inFlight.spawn(async () => Promise.reject(new Error("handler failed")), (error) => failures.push(error));
    const held = gate();
    const order: string[] = [];
    // A handler that, once running, starts an answer of its own (as a Discord handler calls track()).
    inFlight.spawn(async () => {
      await held.promise;
      await inFlight.run(async () => order.push("inner answer"));
      order.push("handler done");
    }, (error) => failures.push(error));
    const stopping = inFlight.stop({ graceMs: 60_000 }).then(() => order.push("stopped"));
    held.open();
    await stopping;
    expect(failures.map((e) => (e as Error).message)).toEqual(["handler failed"]);
    // Stopping had begun, so the inner answer did not start; the handler was still waited for.
    expect(order).toEqual(["handler done", "stopped"]);
  });

  it("begin() tracks work that is not one promise (a stream): stop() aborts its signal and waits for end(); idle() waits without stopping", async () => {
    const inFlight = new InFlight();
    const stream = inFlight.begin()!;
    let idle = false;
    const waited = inFlight.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    stream.end();
    await waited;
    expect(inFlight.stopping).toBe(false);

    const second = inFlight.begin()!;
    let stopped = false;
    const stopping = inFlight.stop({ reason: "closing" }).then(() => (stopped = true));
    expect(second.signal.aborted).toBe(true);
    expect(second.signal.reason).toBe("closing");
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    second.end();
    second.end();
    await stopping;
    expect(inFlight.begin()).toBeUndefined();
  });
});


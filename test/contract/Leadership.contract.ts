import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { Leadership, Lease } from "../../src/channels/Leadership.js";
import { isLlamadeskError } from "../../src/errors.js";

export interface LeadershipImplementation {
  name: string;
  /** Two replicas' leaderships: separate connections to one database, or (in one process) the same object. */
  replicas(): Promise<[Leadership, Leadership]>;
}

const freshName = () => `test-${randomBytes(6).toString("hex")}`;
/** Polls generously: a replica standing by tries again about every second. */
const eventually = { timeout: 20_000, interval: 20 };

/** What every Leadership promises, run against each implementation. */
export function leadershipContract(impl: LeadershipImplementation): void {
  describe(`Leadership contract: ${impl.name}`, () => {
    it("one replica leads at a time: the other stands by (told once) until the lead is released, then leads", async () => {
      const [one, two] = await impl.replicas();
      const name = freshName();
      const first = await one.acquire(name);
      let standby = 0;
      let second: Lease | undefined;
      const waiting = two.acquire(name, { onStandby: () => standby++ }).then((lease) => (second = lease));
      await vi.waitFor(() => expect(standby).toBe(1), eventually);
      expect(second).toBeUndefined();

      await first.release();
      await waiting;
      expect(second).toBeDefined();
      expect(standby).toBe(1);
      expect(second!.lost.aborted).toBe(false);

      // And the other way round: the first replica now stands by until the second lets go.
      let back = false;
      let standbyAgain = 0;
      const again = one.acquire(name, { onStandby: () => standbyAgain++ }).then((lease) => ((back = true), lease));
      await vi.waitFor(() => expect(standbyAgain).toBe(1), eventually);
      expect(back).toBe(false);
      await second!.release();
      await (await again).release();
    });

    it("leads for different names independently", async () => {
      const [one, two] = await impl.replicas();
      const [a, b] = await Promise.all([one.acquire(freshName()), two.acquire(freshName())]);
      await a.release();
      await b.release();
    });

    it("a wait stopped by its signal rejects with ABORTED, and takes nothing: the lead is free for the next after a release", async () => {
      const [one, two] = await impl.replicas();
      const name = freshName();
      const first = await one.acquire(name);
      const stop = new AbortController();
      let standby = false;
      const waiting = two.acquire(name, { signal: stop.signal, onStandby: () => (standby = true) });
      await vi.waitFor(() => expect(standby).toBe(true), eventually);
      stop.abort(new Error("shutting down"));
      const error = await waiting.catch((e: unknown) => e);
      expect(isLlamadeskError(error, "ABORTED")).toBe(true);
      await expect(two.acquire(name, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });

      await first.release();
      await first.release(); // twice: harmless
      const next = await two.acquire(name);
      expect(next.lost.aborted).toBe(false);
      await next.release();
    });
  });
}

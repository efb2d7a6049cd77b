import { describe, expect, it } from "vitest";
import { SequencePool } from "../../src/model/SequencePool.js";

const never = new AbortController().signal;

describe("SequencePool", () => {
  it("serves waiting requests first in, first out", async () => {
    const pool = new SequencePool(["s0"]);
    const first = await pool.acquire("a", never);
    const order: string[] = [];
    const waiting = ["b", "c", "d"].map((key) => pool.acquire(key, never).then((slot) => (order.push(key), slot)));
    pool.release(first);
    pool.release(await waiting[0]!);
    pool.release(await waiting[1]!);
    await waiting[2];
    expect(order).toEqual(["b", "c", "d"]);
  });

  it("gives a conversation its own sequence back, else an unclaimed one, else the least recently used", async () => {
    const pool = new SequencePool(["s0", "s1", "s2"]);
    const claim = async (key: string) => {
      const slot = await pool.acquire(key, never);
      slot.key = key;
      pool.release(slot);
      return slot.item;
    };
    expect([await claim("a"), await claim("b"), await claim("c")]).toEqual(["s0", "s1", "s2"]);
    expect(await claim("b")).toBe("s1");
    expect(await claim("a")).toBe("s0");
    expect(await claim("d")).toBe("s2"); // c was used least recently
    const busy = await pool.acquire("d", never);
    expect(busy.item).toBe("s2");
    expect((await pool.acquire("d", never)).item).toBe("s1"); // its own is busy: the next least recently used
  });

  it("drops a waiting request whose signal aborts, and fails the rest on demand", async () => {
    const pool = new SequencePool(["s0"]);
    const held = await pool.acquire(undefined, never);
    const controller = new AbortController();
    const gaveUp = pool.acquire("x", controller.signal);
    const next = pool.acquire("y", never);
    controller.abort(new Error("gave up"));
    await expect(gaveUp).rejects.toThrow("gave up");
    pool.release(held);
    const slot = await next;
    const failed = pool.acquire("z", never);
    pool.failWaiting(new Error("closed"));
    await expect(failed).rejects.toThrow("closed");
    pool.release(slot);
    await expect(pool.acquire("w", AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});

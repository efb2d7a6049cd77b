import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireWriterLock, WRITER_LOCK_FILE, type WriterLockHolder } from "../../src/knowledge/writerLock.js";

// Above any pid_max, so never a running process.
const DEAD_PID = 999_999_999;

describe("acquireWriterLock", () => {
  let dir: string;
  const lockFile = () => join(dir, WRITER_LOCK_FILE);
  const holderOnDisk = async () => JSON.parse(await readFile(lockFile(), "utf8")) as WriterLockHolder;
  const leaveLock = (holder: Partial<WriterLockHolder>) =>
    writeFile(lockFile(), JSON.stringify({ pid: DEAD_PID, hostname: hostname(), command: "llamadesk ingest", startedAt: new Date().toISOString(), token: "0dead", ...holder }));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "llamadesk-lock-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("records its holder in writer.lock and removes it on release", async () => {
    const lock = await acquireWriterLock(dir, { command: "llamadesk ingest" });
    expect(await holderOnDisk()).toEqual({ ...lock.holder, pid: process.pid, hostname: hostname(), command: "llamadesk ingest" });
    expect(await readdir(dir)).toEqual([WRITER_LOCK_FILE]);
    await lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("a second writer waits, says once who it waits for, and gets the lock when the first releases it", async () => {
    const first = await acquireWriterLock(dir, { command: "llamadesk sync" });
    const events: string[] = [];
    let waiting!: () => void;
    const started = new Promise<void>((resolve) => (waiting = resolve));
    const waits: WriterLockHolder[] = [];
    const second = acquireWriterLock(dir, {
      command: "llamadesk ingest",
      pollIntervalMs: 5,
      onWait: (holder) => {
        waits.push(holder);
        waiting();
      },
    }).then((lock) => {
      events.push("second acquired");
      return lock;
    });
    await started;
    expect(waits[0]).toMatchObject({ pid: process.pid, command: "llamadesk sync", token: first.holder.token });
    events.push("first released");
    await first.release();
    const lock = await second;
    expect(events).toEqual(["first released", "second acquired"]);
    expect(waits).toHaveLength(1);
    expect((await holderOnDisk()).token).toBe(lock.holder.token);
    await lock.release();
  });

  it("wait: false fails at once with INDEX_LOCKED naming the holder, and leaves its lock alone", async () => {
    const first = await acquireWriterLock(dir, { command: "llamadesk sync" });
    const error = await acquireWriterLock(dir, { command: "llamadesk ingest", wait: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INDEX_LOCKED" });
    expect((error as Error).message).toContain(`llamadesk sync (pid ${process.pid}, started `);
    expect((error as Error).message).toContain(`delete ${lockFile()}`);
    expect(await holderOnDisk()).toEqual(first.holder);
    expect(await readdir(dir)).toEqual([WRITER_LOCK_FILE]);
    await first.release();
  });

  it("takes over a lock left by a dead process on this host", async () => {
    await leaveLock({ pid: DEAD_PID });
    const lock = await acquireWriterLock(dir, { command: "llamadesk ingest", wait: false });
    expect((await holderOnDisk()).token).toBe(lock.holder.token);
    expect(await readdir(dir)).toEqual([WRITER_LOCK_FILE]);
    await lock.release();
  });

  it("takes over a lock with this process's pid from before it started (a pid reused after a restart)", async () => {
    await leaveLock({ pid: process.pid, startedAt: new Date(performance.timeOrigin - 60_000).toISOString() });
    const lock = await acquireWriterLock(dir, { command: "llamadesk ingest", wait: false });
    expect((await holderOnDisk()).token).toBe(lock.holder.token);
    await lock.release();
  });

  it("does not judge a lock from another host by its pid", async () => {
    await leaveLock({ pid: DEAD_PID, hostname: "other-host.example" });
    const error = await acquireWriterLock(dir, { command: "llamadesk ingest", wait: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INDEX_LOCKED" });
    expect((error as Error).message).toContain(`llamadesk ingest (pid ${DEAD_PID} on other-host.example`);
    expect((error as Error).message).toContain("If no llamadesk command is running on other-host.example, delete");
  });

  it("of writers racing for a stale lock exactly one wins, every time", async () => {
    for (let round = 0; round < 25; round++) {
      await leaveLock({ pid: DEAD_PID, token: `0dead${round}` });
      // Each racer starts a few event-loop turns after the last, a different spread each round,
      // so one's take-over lands between another's steps.
      const racer = async (i: number) => {
        for (let turn = 0; turn < (i * round) % 9; turn++) await new Promise((resolve) => setImmediate(resolve));
        return acquireWriterLock(dir, { command: "llamadesk ingest", wait: false });
      };
      const racers = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => racer(i)));
      const winners = racers.filter((r) => r.status === "fulfilled");
      expect(winners).toHaveLength(1);
      for (const loser of racers.filter((r) => r.status === "rejected")) expect(loser.reason).toMatchObject({ code: "INDEX_LOCKED" });
      const winner = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireWriterLock>>>).value;
      expect((await holderOnDisk()).token).toBe(winner.holder.token);
      await winner.release();
      expect(await readdir(dir)).toEqual([]); // no claim or temporary file left behind
    }
  });

  it("writers waiting on a stale lock take it one at a time", async () => {
    await leaveLock({ pid: DEAD_PID });
    let holding = 0;
    let most = 0;
    const writer = async () => {
      const lock = await acquireWriterLock(dir, { command: "llamadesk ingest", pollIntervalMs: 2 });
      holding++;
      most = Math.max(most, holding);
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      holding--;
      await lock.release();
    };
    await Promise.all(Array.from({ length: 6 }, writer));
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it("stops waiting when its signal aborts (ABORTED), leaving the holder's lock as it was", async () => {
    const first = await acquireWriterLock(dir, { command: "llamadesk sync" });
    const controller = new AbortController();
    const error = acquireWriterLock(dir, { command: "llamadesk ingest", signal: controller.signal, onWait: () => controller.abort() }).catch((e: unknown) => e);
    expect(await error).toMatchObject({ code: "ABORTED", message: expect.stringContaining("was not changed") });
    expect(await holderOnDisk()).toEqual(first.holder);
    expect(await readdir(dir)).toEqual([WRITER_LOCK_FILE]);
    await first.release();
  });

  it("a lock file it cannot read is reported, not taken over", async () => {
    await writeFile(lockFile(), "12345");
    await expect(acquireWriterLock(dir, { command: "llamadesk ingest" })).rejects.toMatchObject({
      code: "INDEX_LOCKED",
      message: expect.stringContaining(`${lockFile()} is not a lock llamadesk wrote`),
    });
    expect(await readFile(lockFile(), "utf8")).toBe("12345");
  });

  it("release leaves a lock that is no longer its own", async () => {
    const lock = await acquireWriterLock(dir, { command: "llamadesk ingest" });
    await leaveLock({ pid: process.pid, token: "0other" });
    await lock.release();
    expect((await holderOnDisk()).token).toBe("0other");
  });
});

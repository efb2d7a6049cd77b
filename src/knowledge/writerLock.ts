import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { LlamadeskError } from "../errors.js";

/**
 * One writer per index directory at a time. Every writer loads the index, changes it and
 * saves a new generation; two at once would each save without the other's changes. The lock
 * is `writer.lock` in the index directory, naming its holder.
 *
 * Race-free without kernel locks: the lock file is written under a temporary name and
 * hard-linked into place (a link fails if the name exists, and the file is never seen half
 * written). A lock left by a dead process on this host is taken over by first claiming it:
 * linking it to `writer.lock.stale-<token>`, which only one taker can do, and removing
 * `writer.lock` only if the claim holds that same token. A process killed inside those few
 * steps leaves the claim behind; deleting `writer.lock` then frees the index.
 */
export const WRITER_LOCK_FILE = "writer.lock";

export interface WriterLockHolder {
  pid: number;
  hostname: string;
  /** What is writing, e.g. "llamadesk ingest". */
  command: string;
  /** When the lock was taken (ISO 8601). */
  startedAt: string;
  /** Tells this holding apart from any other by the same pid. */
  token: string;
}

export interface WriterLockOptions {
  /** What is writing, shown to whoever has to wait, e.g. "llamadesk ingest" or "nightly import". */
  command: string;
  /** Wait while another writer holds the lock. Defaults to true; false fails at once with `INDEX_LOCKED`. */
  wait?: boolean;
  /** Called once, when this writer starts to wait, with who holds the lock. */
  onWait?: (holder: WriterLockHolder) => void;
  /** Stops waiting: the acquire then fails with `ABORTED`. */
  signal?: AbortSignal;
  /** How often a waiting writer looks again. Defaults to 500 ms. */
  pollIntervalMs?: number;
}

export interface WriterLock {
  readonly path: string;
  readonly holder: WriterLockHolder;
  /** Frees the index for the next writer. Safe to call twice. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const holderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  command: z.string(),
  startedAt: z.string(),
  token: z.string().regex(/^[0-9a-f]+$/),
});

/** Takes the writer lock of `indexDir` (created if missing), waiting for the current holder unless `wait` is false. */
export async function acquireWriterLock(indexDir: string, options: WriterLockOptions): Promise<WriterLock> {
  await mkdir(indexDir, { recursive: true });
  const path = join(indexDir, WRITER_LOCK_FILE);
  const me: WriterLockHolder = {
    pid: process.pid,
    hostname: hostname(),
    command: options.command,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  let announced = false;
  for (;;) {
    if (await tryCreate(path, me)) return heldLock(path, me);
    const holder = await readHolder(path);
    if (holder === "gone") continue;
    if (holder === "unreadable") {
      throw new LlamadeskError("INDEX_LOCKED", `${path} is not a lock llamadesk wrote. If no llamadesk command is writing ${indexDir}, delete it.`);
    }
    if (isStale(holder)) {
      const outcome = await takeOver(path, holder);
      // "busy": another writer is taking it over this instant; wait for it like for any holder.
      if (outcome !== "busy") continue;
    }
    if (options.wait === false) {
      throw new LlamadeskError(
        "INDEX_LOCKED",
        `${describeHolder(holder)} is writing the index in ${indexDir}. Run this again when it has finished, or without --no-wait to wait for it. ` +
          `If no llamadesk command is running${holder.hostname === hostname() ? "" : ` on ${holder.hostname}`}, delete ${path}.`,
      );
    }
    if (!announced) options.onWait?.(holder);
    announced = true;
    try {
      await sleep(options.pollIntervalMs ?? 500, undefined, { signal: options.signal });
    } catch {
      throw new LlamadeskError("ABORTED", `Stopped waiting for ${describeHolder(holder)}; the index in ${indexDir} was not changed.`);
    }
  }
}

/** "llamadesk sync (pid 1234, started 12:01:05)", with the host when it is another one. */
export function describeHolder(holder: WriterLockHolder): string {
  const started = new Date(holder.startedAt);
  const when = started.toDateString() === new Date().toDateString() ? started.toLocaleTimeString() : started.toLocaleString();
  const host = holder.hostname === hostname() ? "" : ` on ${holder.hostname}`;
  return `${holder.command} (pid ${holder.pid}${host}, started ${when})`;
}

function heldLock(path: string, holder: WriterLockHolder): WriterLock {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    const current = await readHolder(path);
    if (typeof current === "object" && current.token === holder.token) await rm(path, { force: true });
  };
  return { path, holder, release, [Symbol.asyncDispose]: release };
}

async function tryCreate(path: string, holder: WriterLockHolder): Promise<boolean> {
  const temp = `${path}.${holder.token}.tmp`;
  await writeFile(temp, `${JSON.stringify(holder)}\n`);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

async function readHolder(path: string): Promise<WriterLockHolder | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : "unreadable";
  } catch {
    return "unreadable";
  }
}

/**
 * A holder is gone when it ran on this host and its process no longer runs, or when it has
 * this process's pid but started before this process did (a pid reused after a restart, as in
 * a container). A pid on another host (a shared filesystem) says nothing here.
 */
function isStale(holder: WriterLockHolder): boolean {
  if (holder.hostname !== hostname()) return false;
  if (holder.pid === process.pid) return Date.parse(holder.startedAt) < performance.timeOrigin;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "EPERM";
  }
}

/**
 * Removes the lock `stale` if `path` still is it. Only the one process that links it to
 * `<path>.stale-<token>` may remove it, so two takers never remove each other's new lock.
 */
async function takeOver(path: string, stale: WriterLockHolder): Promise<"removed" | "changed" | "busy"> {
  const claim = `${path}.stale-${stale.token}`;
  try {
    await link(path, claim);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return "busy";
    if (code === "ENOENT") return "changed";
    throw error;
  }
  try {
    const claimed = await readHolder(claim);
    if (typeof claimed !== "object" || claimed.token !== stale.token) return "changed";
    await rm(path);
    return "removed";
  } finally {
    await rm(claim, { force: true });
  }
}

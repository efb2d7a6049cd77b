import { readFileSync } from "node:fs";
import { readEnv } from "../config.js";

/** Why a long-running command stops. */
export type StopReason = "SIGINT" | "SIGTERM" | "parent process exited";

export interface StopSignalOptions {
  /**
   * Also stop when the process that started this one exits. npm's wrapper (`npx`, `npm exec`,
   * `npm run`) does not pass a SIGTERM on to the command it runs, so without this `kill` of a
   * backgrounded `npx llamadesk serve` leaves the server running. Defaults to true when a package
   * manager started this process, false otherwise (so `nohup llamadesk serve &` outlives its shell).
   */
  watchParent?: boolean;
  /** Whether the parent is still there. Defaults to comparing with the parent this process started under. */
  parentAlive?: () => boolean;
  /** How often the parent is looked at, in ms. Defaults to 1,000. */
  everyMs?: number;
}

/**
 * Resolves with the first SIGINT or SIGTERM, or once the parent process has exited (see
 * `watchParent`): how long-running commands (slack, discord, serve) wait to be stopped.
 */
export function stopSignal(signals: NodeJS.EventEmitter = process, options: StopSignalOptions = {}): Promise<StopReason> {
  return new Promise((resolve) => {
    const watch = options.watchParent ?? readEnv().packageManager !== undefined;
    const alive = options.parentAlive ?? parentAliveSince(process.ppid);
    const timer = watch ? setInterval(() => !alive() && stop("parent process exited"), options.everyMs ?? 1000) : undefined;
    timer?.unref();
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    function stop(reason: StopReason): void {
      clearInterval(timer);
      signals.off("SIGINT", onInt);
      signals.off("SIGTERM", onTerm);
      resolve(reason);
    }
    signals.once("SIGINT", onInt);
    signals.once("SIGTERM", onTerm);
  });
}

/**
 * Whether the process that started this one is still there. On Linux, from the kernel's record of
 * parents: an orphan is re-parented at once, even while its old parent lingers unreaped. npm runs a
 * command through a shell (`sh -c`) that may stay as its parent, so then the shell's parent (npm) is
 * watched too. Elsewhere, whether `ppid` still exists. (`process.ppid` is read once at start-up, so it cannot tell.)
 */
function parentAliveSince(ppid: number): () => boolean {
  if (procStat("self") === undefined) return () => exists(ppid);
  const parent = procStat(ppid);
  const grandparent = parent !== undefined && SHELLS.has(parent.name) ? parent.ppid : undefined;
  return () => procStat("self")?.ppid === ppid && (grandparent === undefined || procStat(ppid)?.ppid === grandparent);
}

const SHELLS = new Set(["sh", "bash", "dash", "zsh"]);

/** A process's parent and command name from /proc/PID/stat; undefined without /proc, or once the process is gone. */
function procStat(pid: number | "self"): { ppid: number; name: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (name) state ppid ...": the name may hold spaces and parentheses, so count from the last ")".
    const close = stat.lastIndexOf(")");
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? { ppid, name: stat.slice(stat.indexOf("(") + 1, close) } : undefined;
  } catch {
    return undefined;
  }
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // there, but not ours to signal
  }
}

import { LlamadeskError } from "../errors.js";

/** What an `acquire` is told and may tell back while it waits. */
export interface AcquireLeadOptions {
  /** Stops waiting: `acquire` then rejects with `ABORTED`. Defaults to waiting until the lead is had. */
  signal?: AbortSignal | undefined;
  /** Called once when another holder has the lead and this one starts standing by. Defaults to nothing. */
  onStandby?: (() => void) | undefined;
  /** A failure while standing by (e.g. the database went away for a moment); standing by goes on. Defaults to nothing. */
  onError?: ((error: LlamadeskError) => void) | undefined;
}

/** The lead, held until released or lost. */
export interface Lease {
  /**
   * Aborted, with a LlamadeskError as its reason, when the lead is lost without `release()` (the connection
   * that held it failed): another replica may take it at once, so stop what the lead was for right away.
   */
  readonly lost: AbortSignal;
  /** Gives the lead up, so a replica standing by takes it. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * Who does a thing only one replica may do at a time, such as holding a bot's Discord gateway connection:
 * `acquire(name)` resolves once this replica leads for `name`; the others stand by until it is released or
 * its holder dies.
 */
export interface Leadership {
  acquire(name: string, options?: AcquireLeadOptions): Promise<Lease>;
}

/**
 * The embedded default, for one process: the lead is had at once, unless another holder of this same object
 * has it (two channels in one process); then `acquire` waits for its release. Never lost.
 */
export class InProcessLeadership implements Leadership {
  private readonly held = new Set<string>();
  private readonly waiting = new Set<() => void>();

  async acquire(name: string, options: AcquireLeadOptions = {}): Promise<Lease> {
    const { signal } = options;
    let told = false;
    while (this.held.has(name)) {
      if (signal?.aborted) throw abortedWaiting(signal);
      if (!told) options.onStandby?.();
      told = true;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        this.waiting.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
    if (signal?.aborted) throw abortedWaiting(signal);
    this.held.add(name);
    let released = false;
    return {
      lost: new AbortController().signal,
      release: async () => {
        if (released) return;
        released = true;
        this.held.delete(name);
        for (const wake of [...this.waiting]) wake();
      },
    };
  }
}

/** The error an `acquire` stopped by its signal rejects with. */
export function abortedWaiting(signal: AbortSignal): LlamadeskError {
  const why = signal.reason instanceof Error ? `: ${signal.reason.message}` : "";
  return new LlamadeskError("ABORTED", `Stopped standing by for the lead${why}.`, { cause: signal.reason });
}

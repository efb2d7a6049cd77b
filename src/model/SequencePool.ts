/** One member of the pool, and the conversation whose state it holds. */
export interface PoolSlot<T> {
  readonly item: T;
  /** The conversation last served here; `undefined` when no conversation claims it. */
  key: string | undefined;
  lastUsed: number;
  busy: boolean;
}

interface Waiter<T> {
  key: string | undefined;
  grant(slot: PoolSlot<T>): void;
  fail(error: unknown): void;
}

/**
 * Hands a fixed set of context sequences to requests: first in, first out, each request to its own
 * conversation's sequence when that is free, else to an unclaimed one, else to the least recently used.
 */
export class SequencePool<T> {
  private readonly slots: PoolSlot<T>[];
  private readonly waiting: Waiter<T>[] = [];
  private clock = 0;

  constructor(items: readonly T[]) {
    this.slots = items.map((item) => ({ item, key: undefined, lastUsed: 0, busy: false }));
  }

  /** Waits for a free slot; rejects with `signal.reason` if the signal aborts first. */
  acquire(key: string | undefined, signal: AbortSignal): Promise<PoolSlot<T>> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const free = this.waiting.length === 0 ? this.pickFree(key) : undefined;
    if (free !== undefined) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal.reason);
      };
      const settle = () => signal.removeEventListener("abort", onAbort);
      const waiter: Waiter<T> = { key, grant: (slot) => (settle(), resolve(slot)), fail: (error) => (settle(), reject(error)) };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Frees `slot` and hands it, or the one that suits them best, to the longest waiting request. */
  release(slot: PoolSlot<T>): void {
    slot.busy = false;
    slot.lastUsed = ++this.clock;
    const next = this.waiting.shift();
    if (next === undefined) return;
    const granted = this.pickFree(next.key)!;
    granted.busy = true;
    next.grant(granted);
  }

  /** Rejects every waiting request with `error`. */
  failWaiting(error: unknown): void {
    for (const waiter of this.waiting.splice(0)) waiter.fail(error);
  }

  private pickFree(key: string | undefined): PoolSlot<T> | undefined {
    let best: PoolSlot<T> | undefined;
    const rank = (s: PoolSlot<T>) => (s.key === undefined ? -1 : s.lastUsed);
    for (const slot of this.slots) {
      if (slot.busy) continue;
      if (key !== undefined && slot.key === key) return slot;
      if (best === undefined || rank(slot) < rank(best)) best = slot;
    }
    return best;
  }
}

export interface InFlightStopOptions {
  /** How long work in progress may finish on its own before it is aborted, in ms. Defaults to 0: aborted at once. */
  graceMs?: number;
  /** The reason the signals are aborted with. Defaults to the platform's AbortError. */
  reason?: unknown;
}

/** Work started with `InFlight.begin()`. */
export interface InFlightHandle {
  /** Aborted by `stop()` once its grace period is over. */
  signal: AbortSignal;
  /** The work has ended. */
  end(): void;
}

/**
 * The work a channel has in progress (answers being streamed, handlers running), so that stopping the
 * channel can let it finish or cancel it, and wait for it: every channel stops the same way. Once `stop()`
 * has begun, nothing new starts. One per run of a channel: make a new one when the channel starts again.
 */
export class InFlight {
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly controllers = new Set<AbortController>();
  private closing = false;

  /** Whether `stop()` has begun. */
  get stopping(): boolean {
    return this.closing;
  }

  /**
   * Runs `work` with a signal that `stop()` aborts, and that `stop()` waits for. Resolves with its result,
   * or with undefined without running it once stopping.
   */
  async run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    const handle = this.begin();
    if (!handle) return undefined;
    try {
      return await work(handle.signal);
    } finally {
      handle.end();
    }
  }

  /**
   * Starts work that is not one promise, such as an answer streamed to a client: `stop()` aborts its signal and
   * waits until `end()` is called (calling it again does nothing). Undefined once stopping.
   */
  begin(): InFlightHandle | undefined {
    if (this.closing) return undefined;
    const controller = new AbortController();
    let finish!: () => void;
    const task = new Promise<void>((resolve) => (finish = resolve));
    this.controllers.add(controller);
    this.tasks.add(task);
    return {
      signal: controller.signal,
      end: () => {
        this.controllers.delete(controller);
        this.tasks.delete(task);
        finish();
      },
    };
  }

  /** Resolves once the work in progress now has ended, without stopping anything. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.tasks]);
  }

  /** Starts `work` in the background, tracked as `run` tracks it; its failure goes to `onError`. Nothing starts once stopping. */
  spawn(work: (signal: AbortSignal) => Promise<void>, onError: (error: unknown) => void): void {
    void this.run(work).catch(onError);
  }

  /**
   * Stops taking work, lets what is in progress finish for up to `graceMs`, aborts the rest, and resolves once
   * all of it has ended (work started by work in progress included).
   */
  async stop(options: InFlightStopOptions = {}): Promise<void> {
    this.closing = true;
    const graceMs = options.graceMs ?? 0;
    if (graceMs > 0 && this.tasks.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...this.tasks]), grace]);
      clearTimeout(timer);
    }
    for (const controller of this.controllers) controller.abort(options.reason);
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}

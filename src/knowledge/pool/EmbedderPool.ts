import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { LlamadeskError } from "../../errors.js";
import type { EmbedOptions, Embedder } from "../Embedder.js";
import type { FromWorker, ToWorker, WorkerEmbedderSpec, WorkerError, WorkerInit } from "./messages.js";
import { workerScript } from "./workerScript.js";

export interface EmbedderPoolOptions {
  /** What each worker runs; its `id` and `dimensions` must be the ones below. */
  embedder: WorkerEmbedderSpec;
  /** The workers' embedder id: the pool's id, so an index built either way is the same index. */
  id: string;
  dimensions: number;
  /** Worker threads, each with its own copy of the model. Defaults to the machine's cores (`os.availableParallelism()`). */
  workers?: number;
  /** Most texts one worker embeds per job: a large batch is cut into jobs that idle workers take in turn. Defaults to 16. */
  jobSize?: number;
}

interface Job {
  texts: string[];
  call: Call;
  /** Where this job's vectors go in the call's result. */
  offset: number;
}

interface Call {
  vectors: number[][];
  remaining: number;
  settled: boolean;
  resolve(vectors: number[][]): void;
  reject(error: unknown): void;
  release(): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Settles when the worker has loaded the model, or could not. */
  loaded: Promise<void>;
  job?: Job;
  jobId?: number;
}

/**
 * An `Embedder` that embeds in worker threads, one per core by default, each with the model loaded
 * once. A batch is cut into jobs that idle workers take in turn; single questions from many
 * conversations run side by side. Vectors are the ones the embedder gives in one thread.
 *
 * Workers start as work needs them (one question starts one, a batch all of them; `ready()` starts
 * all) and stay until `dispose()`; idle workers do not keep the process alive. A worker that dies fails the texts it held with EMBEDDER_FAILED and is replaced
 * for the next ones; a model that cannot load fails every waiting call, and the next call tries again.
 */
export class EmbedderPool implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly size: number;
  private readonly spec: WorkerEmbedderSpec;
  private readonly jobSize: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextJobId = 0;
  private disposed = false;

  constructor(options: EmbedderPoolOptions) {
    const size = options.workers ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1) throw new LlamadeskError("INVALID_OPTION", `EmbedderPool: workers must be a whole number of at least 1 (got ${size}).`);
    this.size = size;
    this.id = options.id;
    this.dimensions = options.dimensions;
    this.spec = options.embedder;
    this.jobSize = options.jobSize ?? 16;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    if (this.disposed) throw new LlamadeskError("EMBEDDER_FAILED", `This ${this.id} worker pool was disposed; create a new one.`);
    options.signal?.throwIfAborted();
    if (texts.length === 0) return [];
    return new Promise<number[][]>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => this.fail(call, signal!.reason);
      const call: Call = {
        vectors: new Array<number[]>(texts.length),
        remaining: 0,
        settled: false,
        resolve,
        reject,
        release: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // Even shares, so a batch no bigger than the pool still uses every worker.
      const share = Math.min(this.jobSize, Math.ceil(texts.length / this.size));
      for (let offset = 0; offset < texts.length; offset += share) {
        this.queue.push({ texts: texts.slice(offset, offset + share), call, offset });
        call.remaining++;
      }
      this.dispatch();
    });
  }

  /** Running worker threads (loading or loaded). */
  get threads(): number {
    return this.slots.size;
  }

  /** Starts every worker and resolves once each has loaded the model (embed does not need this: it starts them too). */
  async ready(): Promise<void> {
    if (this.disposed) throw new LlamadeskError("EMBEDDER_FAILED", `This ${this.id} worker pool was disposed; create a new one.`);
    this.fill();
    await Promise.all([...this.slots].map((slot) => slot.loaded));
  }

  /** Stops every worker; calls still waiting fail with EMBEDDER_FAILED. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const error = new LlamadeskError("EMBEDDER_FAILED", `The ${this.id} worker pool was disposed while embedding.`);
    for (const job of this.queue.splice(0)) this.fail(job.call, error);
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) if (slot.job) this.fail(slot.job.call, error);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** Hands waiting jobs to idle workers, and starts workers (up to the pool size, replacing any that died) for the rest. */
  private dispatch(): void {
    this.dropSettled();
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.job) continue;
      this.assign(slot, this.queue.shift()!);
    }
    // Grow while more jobs wait than workers are loading: one question starts one worker, a batch all of them.
    while (!this.disposed && this.queue.length > this.loading() && this.slots.size < this.size) this.start();
    for (const slot of this.slots) {
      if (slot.ready && !slot.job) slot.worker.unref();
      else slot.worker.ref();
    }
  }

  private loading(): number {
    let n = 0;
    for (const slot of this.slots) if (!slot.ready) n++;
    return n;
  }

  private fill(): void {
    while (!this.disposed && this.slots.size < this.size) this.start();
  }

  private dropSettled(): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.call.settled) this.queue.splice(i, 1);
  }

  private assign(slot: Slot, job: Job): void {
    slot.job = job;
    slot.jobId = this.nextJobId++;
    const message: ToWorker = { type: "embed", job: slot.jobId, texts: job.texts };
    slot.worker.postMessage(message);
  }

  private start(): void {
    const script = workerScript("./embedWorker.js", import.meta.url);
    const init: WorkerInit = { embedder: this.spec };
    const worker = new Worker(script.url, { workerData: init, ...(script.execArgv ? { execArgv: script.execArgv } : {}) });
    let loadError: LlamadeskError | undefined;
    let settleLoad!: (error?: Error) => void;
    const loaded = new Promise<void>((resolve, reject) => (settleLoad = (error) => (error ? reject(error) : resolve())));
    loaded.catch(() => {}); // reported through the calls waiting for this worker
    const slot: Slot = { worker, ready: false, loaded };
    this.slots.add(slot);
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ready") {
        if (message.id !== this.id || message.dimensions !== this.dimensions) {
          loadError = new LlamadeskError(
            "EMBEDDER_FAILED",
            `An embedding worker loaded "${message.id}" (${message.dimensions}-d), but the pool is for "${this.id}" (${this.dimensions}-d).`,
          );
          void worker.terminate();
          return;
        }
        slot.ready = true;
        settleLoad();
      } else if (message.type === "failed") {
        loadError = coded(message.error, `Embedding worker could not load ${this.id}`);
      } else if (slot.job && message.job === slot.jobId) {
        const job = slot.job;
        slot.job = undefined;
        if (message.type === "vectors") this.deliver(job, message.data);
        else this.fail(job.call, coded(message.error, `Embedding with ${this.id} failed`));
      }
      this.dispatch();
    });
    worker.on("error", (error) => {
      loadError ??= new LlamadeskError("EMBEDDER_FAILED", `An embedding worker crashed: ${error.message}.`, { cause: error });
    });
    worker.on("exit", (code) => {
      const why = loadError?.message ?? `An embedding worker stopped (exit code ${code}).`;
      settleLoad(loadError ?? new LlamadeskError("EMBEDDER_FAILED", why));
      if (!this.slots.delete(slot)) return; // terminated by dispose()
      if (slot.job) {
        const error = new LlamadeskError(
          "EMBEDDER_FAILED",
          `${why.replace(/\.$/, "")} while embedding ${slot.job.texts.length} text(s); a new worker takes the next texts. ` +
            "If this repeats, run with --embed-workers 1 (embedWorkers: 1 in the config) to embed in the main thread.",
          { cause: loadError },
        );
        this.fail(slot.job.call, error);
      }
      if (!slot.ready) {
        // The model did not load: retrying at once would fail the same way, so every waiting call fails.
        const error = loadError ?? new LlamadeskError("EMBEDDER_FAILED", `${why} Check the install with \`npm install\`.`);
        for (const job of this.queue.splice(0)) this.fail(job.call, error);
      }
      this.dispatch();
    });
  }

  private deliver(job: Job, data: Float64Array): void {
    const { call } = job;
    if (call.settled) return;
    if (data.length !== job.texts.length * this.dimensions) {
      this.fail(call, new LlamadeskError("EMBEDDER_FAILED", `An embedding worker returned ${data.length} numbers for ${job.texts.length} text(s) of ${this.dimensions}-d vectors.`));
      return;
    }
    for (let row = 0; row < job.texts.length; row++) {
      call.vectors[job.offset + row] = Array.from(data.subarray(row * this.dimensions, (row + 1) * this.dimensions));
    }
    if (--call.remaining === 0) {
      call.settled = true;
      call.release();
      call.resolve(call.vectors);
    }
  }

  /** Fails a whole call; its jobs still waiting are dropped, those running are ignored when they answer. */
  private fail(call: Call, error: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.release();
    call.reject(error);
    this.dropSettled();
  }
}

function coded(error: WorkerError, context: string): LlamadeskError {
  if (error.code === "EMBEDDER_FAILED") return new LlamadeskError("EMBEDDER_FAILED", error.message);
  return new LlamadeskError("EMBEDDER_FAILED", `${context}: ${error.message}`);
}

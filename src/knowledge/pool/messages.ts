/**
 * What the embedding pool and its workers say to each other: the one definition of that protocol,
 * imported by both ends.
 */

/** How a worker builds its embedder: `(await import(module))[exportName](options)`. */
export interface WorkerEmbedderSpec {
  /** URL of an ES module (file: URL). */
  module: string;
  /** A function of that module that takes `options` and returns (a promise of) an `Embedder`. */
  exportName: string;
  /** Structured-cloneable options passed to it. */
  options?: unknown;
}

/** The pool to a worker. */
export type ToWorker = { type: "embed"; job: number; texts: string[] };

/** A worker to the pool. */
export type FromWorker =
  /** The model loaded: the worker takes jobs from now on. */
  | { type: "ready"; id: string; dimensions: number }
  /** The model could not load; the worker exits. */
  | { type: "failed"; error: WorkerError }
  /** One job's vectors, row after row (`texts.length × dimensions`), already L2-normalised. */
  | { type: "vectors"; job: number; data: Float64Array }
  /** One job failed; the worker keeps serving. */
  | { type: "error"; job: number; error: WorkerError };

/** An error as it crosses the thread boundary: a LlamadeskError keeps its code. */
export interface WorkerError {
  message: string;
  code?: string;
}

/** What a worker receives as `workerData`. */
export interface WorkerInit {
  embedder: WorkerEmbedderSpec;
}

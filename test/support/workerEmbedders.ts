import { threadId } from "node:worker_threads";
import { normalize, type Embedder } from "../../src/knowledge/Embedder.js";

/**
 * Embedders for EmbedderPool tests, built inside its worker threads (`createEmbedder`-style factories
 * named in a `WorkerEmbedderSpec`). Each vector says which thread made it and which text it was for.
 */
export interface ThreadTaggingOptions {
  /** Milliseconds each `embed` call waits before answering (without holding the CPU). Defaults to 0. */
  delayMs?: number;
  /** A text that makes the worker exit with code 7 (a crash the pool must survive). */
  exitOn?: string;
  /** A text that makes the worker throw outside any promise (an uncaught exception). */
  throwOn?: string;
  /** A text that makes `embed` reject (an ordinary failure; the worker keeps serving). */
  rejectOn?: string;
  /** Refuse to load, as a missing model would. */
  failLoad?: boolean;
  id?: string;
}

export const TAG_DIMENSIONS = 4;

/** Vector [threadId, text length, 1, 0] normalised: `threadOf` reads the thread back. */
export async function createThreadTaggingEmbedder(options: ThreadTaggingOptions = {}): Promise<Embedder> {
  if (options.failLoad) throw new Error("the model file is missing (test)");
  return {
    id: options.id ?? "thread-tagging",
    dimensions: TAG_DIMENSIONS,
    async embed(texts) {
      if (options.exitOn !== undefined && texts.includes(options.exitOn)) process.exit(7);
      if (options.throwOn !== undefined && texts.includes(options.throwOn)) {
        setImmediate(() => {
          throw new Error("kaboom");
        });
        await new Promise(() => {}); // never answers: the crash ends the thread first
      }
      if (options.rejectOn !== undefined && texts.includes(options.rejectOn)) throw new Error(`cannot embed "${options.rejectOn}"`);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      return texts.map((text) => normalize([threadId, text.length, 1, 0]));
    },
  };
}

/** The thread that made a vector of `createThreadTaggingEmbedder` (the ratio survives normalising). */
export function threadOf(vector: readonly number[]): number {
  return Math.round(vector[0]! / vector[2]!);
}

/** The text length a vector of `createThreadTaggingEmbedder` was made for. */
export function lengthOf(vector: readonly number[]): number {
  return Math.round(vector[1]! / vector[2]!);
}

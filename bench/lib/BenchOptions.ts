import type { Embedder } from "../../src/knowledge/Embedder.js";

/** What `run.ts` hands every bench. */
export interface BenchOptions {
  /** 10k vectors only, fewer queries and a StackFAQ subset, so the whole run takes about a minute. */
  quick: boolean;
  /** The default embedder, loaded and warmed up once and shared by every bench. */
  embedder: () => Promise<Embedder>;
}

import type { Embedder } from "../../src/knowledge/Embedder.js";

/** What `run.ts` hands every bench. */
export interface BenchOptions {
  /** 10k vectors only, fewer queries and a StackFAQ subset, so the whole run takes about a minute. */
  quick: boolean;
  /** The default embedder, loaded and warmed up once and shared by every bench. */
  embedder: () => Promise<Embedder>;
  /** The PostgreSQL bench's server (a superuser's URL, BENCH_POSTGRES_URL). Defaults to a throwaway server of its own. */
  postgresUrl?: string;
  /** Model shapes the answer bench runs. Defaults to both (`tinyllama` only with `quick`). */
  answerShapes?: AnswerBenchShape[];
}

/** Random-weight model shapes the answer bench knows (see `writeLlamaGguf`). */
export type AnswerBenchShape = "tinyllama" | "llama2-7b";
export const ANSWER_BENCH_SHAPES: readonly AnswerBenchShape[] = ["tinyllama", "llama2-7b"];

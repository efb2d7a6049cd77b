import { latencyStats, type LatencyStats } from "../lib/measure.js";

/** A contender in an interleaved timing: a name and the async call to time. */
export interface Contender<T, R> {
  name: string;
  run: (input: T) => Promise<R>;
}

/**
 * Runs every contender on each input, one call at a time, alternating who goes first, so load from
 * elsewhere on the machine (and the database's caches) falls on all alike. Run a warm-up first.
 */
export async function timeInterleaved<T, R>(inputs: readonly T[], contenders: readonly Contender<T, R>[]): Promise<Map<string, { results: R[]; latency: LatencyStats }>> {
  const results = contenders.map(() => [] as R[]);
  const ns = contenders.map(() => [] as number[]);
  for (const [i, input] of inputs.entries()) {
    for (let j = 0; j < contenders.length; j++) {
      const c = (i + j) % contenders.length;
      const start = process.hrtime.bigint();
      results[c]![i] = await contenders[c]!.run(input);
      ns[c]!.push(Number(process.hrtime.bigint() - start));
    }
  }
  return new Map(contenders.map((c, j) => [c.name, { results: results[j]!, latency: latencyStats(ns[j]!) }]));
}

/** Each input once, one call at a time. */
export async function timeEachAsync<T, R>(inputs: readonly T[], run: (input: T) => Promise<R>): Promise<{ results: R[]; latency: LatencyStats }> {
  const timed = await timeInterleaved(inputs, [{ name: "only", run }]);
  return timed.get("only")!;
}

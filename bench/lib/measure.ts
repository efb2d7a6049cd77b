import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface LatencyStats {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Runs `fn` on each input once, timing every call on its own. Run a warm-up first. */
export function timeEach<T, R>(inputs: readonly T[], fn: (input: T) => R): { results: R[]; latency: LatencyStats } {
  const results: R[] = [];
  const ns: number[] = [];
  for (const input of inputs) {
    const start = process.hrtime.bigint();
    results.push(fn(input));
    ns.push(Number(process.hrtime.bigint() - start));
  }
  return { results, latency: latencyStats(ns) };
}

export function latencyStats(ns: readonly number[]): LatencyStats {
  const sorted = [...ns].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! / 1e6;
  return { p50Ms: at(0.5), p99Ms: at(0.99), meanMs: sorted.reduce((s, x) => s + x, 0) / sorted.length / 1e6 };
}

/** Wall time of an async function in milliseconds, with its result. */
export async function timed<R>(fn: () => Promise<R>): Promise<{ ms: number; result: R }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

export const MB = 1024 * 1024;

/**
 * Runs a compiled child script (path relative to dist/bench/) in a fresh Node process
 * and parses the JSON it prints on its last stdout line.
 */
export function runChild<T>(script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<T> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, path, ...args], { maxBuffer: 16 * MB }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
        return;
      }
      const last = stdout.trim().split("\n").at(-1) ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
      }
    });
  });
}

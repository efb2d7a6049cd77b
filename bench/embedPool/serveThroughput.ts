import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DEMO_QUESTIONS_FILE } from "../../src/config.js";
import { latencyStats } from "../lib/measure.js";
import type { Recorder } from "../lib/report.js";
import { startServe } from "../lib/serveProcess.js";
import { loadNow } from "./loadNow.js";

export interface ServeRun {
  asksPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  /** Asks in flight on average (their summed latency ÷ the wall time): the concurrency the server really saw. */
  meanInFlight: number;
  /** CPU milliseconds the server process (every thread) spent per ask. */
  cpuMsPerAsk: number;
}

/**
 * The built `llamadesk serve` (extractive answers, the sample FAQ) with `--embed-workers 1` (today: every
 * question embedded on the main thread) against one worker per core, alternating: `conversations` visitors
 * at once, each asking `asksEach` questions one after another; asks/s and each ask's latency (POST to the
 * end of its event stream) at that concurrency.
 */
export async function benchServeThroughput(rec: Recorder, options: { root: string; indexDir: string; cores: number; conversations: number; asksEach: number; rounds: number }): Promise<void> {
  // One client address drives every visitor and each asks quickly: lift both rate limits.
  const unlimited = { requests: 1_000_000_000, windowSeconds: 1 };
  await writeFile(join(options.root, "llamadesk.config.json"), JSON.stringify({ web: { rateLimit: { perIp: unlimited, perConversation: unlimited } } }));
  const questions = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").map((q) => q.trim()).filter((q) => q !== "");
  const settings = [
    { name: "embedWorkers 1 (today)", workers: 1 },
    { name: `pool of ${options.cores} workers (default)`, workers: options.cores },
  ];
  console.log(
    `\n[embed-pool] llamadesk serve --mode extractive: ${options.conversations} conversations at once, ${options.asksEach} asks each, ` +
      `best of ${options.rounds} alternating rounds; ${loadNow()}`,
  );
  const best = new Map<string, ServeRun>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const { name, workers } of settings) {
      const server = await startServe(["--port", "0", "--index", options.indexDir, "--mode", "extractive", "--embed-workers", String(workers)], options.root);
      try {
        await drive(server.url, questions, options.conversations, 2); // warm-up: the model loads in every worker
        const cpuBefore = cpuMsOf(server.child.pid!);
        const driven = await drive(server.url, questions, options.conversations, options.asksEach);
        const result = { ...driven, cpuMsPerAsk: (cpuMsOf(server.child.pid!) - cpuBefore) / (options.conversations * options.asksEach) };
        console.log(
          `    round ${round}, ${name}: ${result.asksPerSecond.toFixed(1)} asks/s, p50 ${result.p50Ms.toFixed(0)} ms, p95 ${result.p95Ms.toFixed(0)} ms, ${result.cpuMsPerAsk.toFixed(1)} server CPU ms/ask, ${result.meanInFlight.toFixed(1)} asks in flight on average` +
            `${result.failures ? `, ${result.failures} failed` : ""}; ${loadNow()}`,
        );
        if (result.asksPerSecond > (best.get(name)?.asksPerSecond ?? 0)) best.set(name, result);
      } finally {
        await server.stop();
      }
    }
  }
  for (const { name } of settings) {
    const run = best.get(name)!;
    rec.record(`serve asks/s at ${options.conversations} conversations, ${name}`, run.asksPerSecond, "asks/s");
    rec.record(`serve ask latency p50 at ${options.conversations} conversations, ${name}`, run.p50Ms, "ms");
    rec.record(`serve ask latency p95 at ${options.conversations} conversations, ${name}`, run.p95Ms, "ms");
    rec.record(`serve CPU time per ask (all threads), ${name}`, run.cpuMsPerAsk, "ms");
    rec.record(`asks in flight on average, ${name}`, run.meanInFlight, "");
    rec.record(`failed asks, ${name}`, run.failures, "", { op: "==", value: 0 });
  }
  rec.record("serve asks/s: pool ÷ embedWorkers 1", best.get(settings[1]!.name)!.asksPerSecond / best.get(settings[0]!.name)!.asksPerSecond, "x");
}

/** `conversations` visitors at once, each starting a conversation and asking `asksEach` questions in it, one after another. */
/** User + system CPU time of a process so far, in ms (Linux /proc). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

async function drive(url: string, questions: readonly string[], conversations: number, asksEach: number): Promise<Omit<ServeRun, "cpuMsPerAsk">> {
  const ns: number[] = [];
  let failures = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: conversations }, async () => {
      const created = await fetch(`${url}/api/conversations`, { method: "POST" });
      if (created.status !== 201) {
        failures += asksEach;
        return;
      }
      const { id } = (await created.json()) as { id: string };
      for (let i = 0; i < asksEach; i++) {
        const text = questions[next++ % questions.length]!;
        const began = process.hrtime.bigint();
        const response = await fetch(`${url}/api/conversations/${id}/messages`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text }),
        });
        const body = await response.text();
        if (response.status !== 200 || !/event: (done|abstained|handoff)/.test(body)) failures++;
        else ns.push(Number(process.hrtime.bigint() - began));
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const sorted = [...ns].sort((a, b) => a - b);
  const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! / 1e6 : NaN;
  const meanInFlight = ns.reduce((sum, n) => sum + n, 0) / 1e9 / seconds;
  return { asksPerSecond: ns.length / seconds, p50Ms: sorted.length ? latencyStats(ns).p50Ms : NaN, p95Ms: p95, failures, meanInFlight };
}

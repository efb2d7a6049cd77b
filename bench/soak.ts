import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_QUESTIONS_FILE, SAMPLE_SOURCES_DIR } from "../src/config.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { MB } from "./lib/measure.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { run, startServe, type RunningServe } from "./lib/serveProcess.js";

/** Questions asked in one conversation before the next visitor starts a new one. */
const ASKS_PER_CONVERSATION = 4;
/** Visitors asking at once, and conversations created at once. */
const ASK_CONCURRENCY = 4;
const CREATE_CONCURRENCY = 8;

export interface SoakSizes {
  asks: number;
  conversations: number;
  rounds: number;
}

/**
 * Memory of a long-running `llamadesk serve` (built bin, extractive answers, the sample FAQ): rounds of asks
 * (visitors each asking a few questions in a new conversation) and of conversations created and never used, the
 * server's RSS read from /proc after each round. It plateaus when the peak of the last third of the rounds is little
 * above the peak of the rounds before, next to the growth of the first third. Sizes: BENCH_SOAK_ASKS, BENCH_SOAK_CONVERSATIONS, BENCH_SOAK_ROUNDS (defaults 6,000, 100,000, 12;
 * a tenth with --quick).
 */
export async function benchSoak(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("soak");
  const sizes = soakSizes(options.quick);
  const root = await mkdtemp(join(tmpdir(), "llamadesk-bench-soak-"));
  let server: RunningServe | undefined;
  try {
    const indexDir = join(root, "index");
    await run(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir], root);
    // One client address drives every visitor: lift the per-address limit, keep the per-conversation one.
    await writeFile(join(root, "llamadesk.config.json"), JSON.stringify({ web: { rateLimit: { perIp: { requests: 1_000_000_000, windowSeconds: 1 } } } }));
    server = await startServe(["--port", "0", "--index", indexDir, "--mode", "extractive"], root);
    const questions = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").map((q) => q.trim()).filter((q) => q !== "");
    const client = new SoakClient(server.url, questions);
    console.log(`\n[soak] llamadesk serve (pid ${server.child.pid}, extractive): ${sizes.asks} asks and ${sizes.conversations} unused conversations in ${sizes.rounds} rounds`);

    await client.askMany(ASKS_PER_CONVERSATION * ASK_CONCURRENCY); // warm-up: the embedder and the store are loaded
    const series: number[] = [rssOf(server.child.pid!)];
    console.log(`    round  0: RSS ${mb(series[0]!)} MB (after warm-up)`);
    const started = performance.now();
    const warmUpAsks = client.asked;
    for (let round = 1; round <= sizes.rounds; round++) {
      const roundStart = performance.now();
      await client.askMany(share(sizes.asks, sizes.rounds, round));
      await client.createMany(share(sizes.conversations, sizes.rounds, round));
      series.push(rssOf(server.child.pid!));
      console.log(`    round ${String(round).padStart(2)}: RSS ${mb(series.at(-1)!)} MB (${client.asked} asks, ${client.created} conversations; ${((performance.now() - roundStart) / 1000).toFixed(1)} s)`);
    }
    const seconds = (performance.now() - started) / 1000;
    if (client.failures > 0) console.log(`    ${client.failures} requests failed; first: ${client.firstFailure}`);

    // Peaks, not single samples: RSS saws up and down with garbage collection.
    const third = Math.floor(sizes.rounds / 3);
    const peak = (from: number, to: number) => Math.max(...series.slice(from, to));
    const first = peak(1, third + 1) - series[0]!;
    const last = peak(sizes.rounds - third + 1, sizes.rounds + 1) - peak(third + 1, sizes.rounds - third + 1);
    console.log(`    RSS series (MB): ${series.map(mb).join(", ")}`);
    console.log(`    growth of the peak: first ${third} rounds +${mb(first)} MB, last ${third} rounds ${last >= 0 ? "+" : ""}${mb(last)} MB over the rounds before: ${plateaus(first, last) ? "plateaus" : "still growing"}`);
    rec.record("RSS after warm-up", series[0]! / MB, "MB");
    rec.record(`RSS peak (${client.asked} asks, ${client.created} conversations)`, peak(0, series.length) / MB, "MB");
    rec.record(`RSS at the end`, series.at(-1)! / MB, "MB");
    rec.record(`RSS peak growth in the first ${third} rounds`, first / MB, "MB");
    rec.record(`RSS peak growth in the last ${third} rounds`, last / MB, "MB", { op: "<=", value: Math.round(Math.max(16 * MB, 0.25 * first) / MB) });
    rec.record("asks per second (with the conversations created between)", (client.asked - warmUpAsks) / seconds, "asks/s");
    rec.record("failed requests", client.failures, "", { op: "==", value: 0 });
  } finally {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  }
  return rec.rows;
}

/** Growth has levelled off: the last third's peak adds at most a quarter of the first third's growth (or 16 MB, allocator noise). */
function plateaus(first: number, last: number): boolean {
  return last <= Math.max(16 * MB, 0.25 * first);
}

function soakSizes(quick: boolean): SoakSizes {
  const size = (name: string, fallback: number): number => {
    const raw = process.env[name]?.trim();
    if (!raw) return quick ? Math.ceil(fallback / 10) : fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (got "${raw}").`);
    return value;
  };
  return { asks: size("BENCH_SOAK_ASKS", 6_000), conversations: size("BENCH_SOAK_CONVERSATIONS", 100_000), rounds: Math.max(3, size("BENCH_SOAK_ROUNDS", 12)) };
}

/** Round `round`'s part of `total` spread over `rounds` rounds. */
function share(total: number, rounds: number, round: number): number {
  return Math.floor((total * round) / rounds) - Math.floor((total * (round - 1)) / rounds);
}

/** Resident set size of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kb === undefined) throw new Error(`No VmRSS for process ${pid}: the soak bench reads /proc (Linux).`);
  return Number(kb) * 1024;
}

const mb = (bytes: number) => (bytes / MB).toFixed(0);

/** Visitors of the API: each starts a conversation and asks a few questions in it, reading each answer to its end. */
class SoakClient {
  asked = 0;
  created = 0;
  failures = 0;
  firstFailure: string | undefined;
  private next = 0;

  constructor(
    private readonly url: string,
    private readonly questions: string[],
  ) {}

  async askMany(count: number): Promise<void> {
    let left = count;
    await pool(ASK_CONCURRENCY, async () => {
      while (left > 0) {
        const n = Math.min(left, ASKS_PER_CONVERSATION);
        left -= n;
        const id = await this.create();
        if (id === undefined) continue;
        for (let i = 0; i < n; i++) await this.ask(id, this.questions[this.next++ % this.questions.length]!);
      }
    });
  }

  async createMany(count: number): Promise<void> {
    let left = count;
    await pool(CREATE_CONCURRENCY, async () => {
      while (left-- > 0) await this.create();
    });
  }

  private async create(): Promise<string | undefined> {
    const response = await fetch(`${this.url}/api/conversations`, { method: "POST" }).catch((error: Error) => this.fail(error.message));
    if (!response) return undefined;
    if (response.status !== 201) return void this.fail(`POST /api/conversations: ${response.status} ${await response.text()}`);
    this.created++;
    return ((await response.json()) as { id: string }).id;
  }

  private async ask(id: string, text: string): Promise<void> {
    const response = await fetch(`${this.url}/api/conversations/${id}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    }).catch((error: Error) => this.fail(error.message));
    if (!response) return;
    const body = await response.text();
    if (response.status !== 200 || !/event: (done|abstained|handoff)/.test(body)) return void this.fail(`ask: ${response.status} ${body.slice(0, 300)}`);
    this.asked++;
  }

  private fail(what: string): undefined {
    this.failures++;
    this.firstFailure ??= what;
    return undefined;
  }
}

async function pool(size: number, worker: () => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: size }, worker));
}

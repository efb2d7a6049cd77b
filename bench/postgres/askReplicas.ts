import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBot, type Bot } from "../../src/bot.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import type { AskReplicaResult, ReplicaQuestions } from "../child/askReplica.js";
import type { BenchPostgres } from "../lib/benchPostgres.js";
import { runChild } from "../lib/measure.js";
import type { Recorder } from "../lib/report.js";

export interface ReplicasOptions {
  server: BenchPostgres;
  url: string;
  knowledge: string;
  /** Has every question's vector already. */
  embedder: Embedder;
  warmup: readonly string[];
  questions: readonly string[];
}

/** Replicas get a few seconds to load and warm up, then start asking at the same moment. */
const START_DELAY_MS = 10_000;

/**
 * Asks/s of one bot against two on one database, each on its own pool, asking one question at a time (each a new
 * conversation, its turns written to PostgreSQL): as processes (replicas, as deployed), then as two bots in this
 * process (the database's side runs in parallel, the bots' JavaScript does not).
 */
export async function benchReplicas(rec: Recorder, options: ReplicasOptions): Promise<void> {
  const { questions, warmup } = options;
  console.log(`\n[postgres] asks/s of 1 and 2 bots on one database, ${questions.length} questions each, one at a time (extractive, query vectors given)`);
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-bench-pg-replicas-"));
  try {
    const texts = [...warmup, ...questions];
    const vectors = await options.embedder.embed(texts);
    const input: ReplicaQuestions = {
      embedder: { id: options.embedder.id, dimensions: options.embedder.dimensions },
      warmup: [...warmup],
      questions: [...questions],
      vectors: Object.fromEntries(texts.map((t, i) => [t, vectors[i]!])),
    };
    const file = join(dir, "questions.json");
    await writeFile(file, JSON.stringify(input));
    const processes: number[] = [];
    for (const count of [1, 2]) {
      const startAt = Date.now() + START_DELAY_MS;
      const runs = await Promise.all(
        Array.from({ length: count }, (_, r) => runChild<AskReplicaResult>("child/askReplica.js", [file, options.url, options.knowledge, String(startAt), `p${count}-${r}`])),
      );
      for (const run of runs) if (run.lateMs > 0) console.log(`    note: a replica was ready ${run.lateMs} ms after the common start`);
      const rate = runs.reduce((n, r) => n + r.asks, 0) / ((Math.max(...runs.map((r) => r.to)) - Math.min(...runs.map((r) => r.from))) / 1000);
      processes.push(rate);
      rec.record(`asks/s, ${count} replica process${count > 1 ? "es" : ""} on one database`, rate, "asks/s");
    }
    rec.record("asks/s, 2 replica processes / 1", processes[1]! / processes[0]!, "x");

    const inProcess: number[] = [];
    for (const count of [1, 2]) {
      const bots = await Promise.all(Array.from({ length: count }, () => openBot(options)));
      try {
        for (const [r, { bot }] of bots.entries()) for (const [i, q] of warmup.entries()) await ask(bot, `t${count}-${r}-warmup-${i}`, q);
        const start = performance.now();
        await Promise.all(bots.map(async ({ bot }, r) => {
          for (const [i, q] of questions.entries()) await ask(bot, `t${count}-${r}-${i}`, q);
        }));
        const rate = (count * questions.length) / ((performance.now() - start) / 1000);
        inProcess.push(rate);
        rec.record(`asks/s, ${count} bot${count > 1 ? "s" : ""} in this process, each on its own pool`, rate, "asks/s");
      } finally {
        for (const { close } of bots) await close();
      }
    }
    rec.record("asks/s, 2 bots in one process / 1", inProcess[1]! / inProcess[0]!, "x");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function openBot(options: ReplicasOptions): Promise<{ bot: Bot; close: () => Promise<void> }> {
  const postgres = await options.server.open(options.url);
  const store = await PostgresKnowledgeStore.open({ postgres, knowledge: options.knowledge });
  const conversations = await PostgresConversationStore.open({ postgres, knowledge: options.knowledge });
  const bot = createBot({ knowledge: store, embedder: options.embedder, store: conversations, prompts: await loadPrompts(), policy: { mode: "extractive", handoffAfterAbstentions: 0 } });
  return {
    bot,
    // Not bot.dispose(): that would dispose the shared embedder.
    close: async () => {
      await store.dispose();
      await conversations.dispose();
      await postgres.close();
    },
  };
}

async function ask(bot: Bot, conversationId: string, text: string): Promise<void> {
  for await (const event of bot.ask({ conversationId, text })) {
    if (event.type === "error") throw new Error(`bot.ask(${JSON.stringify(text)}) failed: ${event.code} ${event.message}`);
  }
}

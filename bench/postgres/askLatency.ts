import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBot, type Bot } from "../../src/bot.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import type { KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import type { ConversationStore } from "../../src/store/ConversationStore.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import type { Recorder } from "../lib/report.js";
import type { StorePair } from "./qualityParity.js";
import { timeInterleaved } from "./timeAsync.js";

const WARMUP = 20;
const RATIO_TARGET = { op: "<=", value: 1.2 } as const;

export interface AskLatencyOptions {
  stores: StorePair;
  /** The database `stores.pg` is on. */
  postgres: Postgres;
  /** Has every question's vector already (a CachingEmbedder that embedded them). */
  cached: Embedder;
  /** The real embedder, as a bot embeds a customer's question. */
  embedder: Embedder;
  questions: readonly string[];
}

/**
 * `bot.ask` in extractive mode (no chat model) on PostgreSQL against the local store, same knowledge, one ask at a
 * time, interleaved, every ask a new conversation: (a) query vectors cached and conversations in memory (the knowledge
 * stores alone), (b) query vectors cached, conversations where each deployment keeps them (SQLite beside the index,
 * PostgreSQL), (c) as (b) with every question embedded by the real embedder, as a customer's is.
 */
export async function benchAskLatency(rec: Recorder, options: AskLatencyOptions): Promise<void> {
  const { stores, questions } = options;
  const prompts = await loadPrompts();
  const bot = (knowledge: KnowledgeStore, store: ConversationStore, embedder: Embedder) =>
    createBot({ knowledge, embedder, store, prompts, policy: { mode: "extractive", handoffAfterAbstentions: 0 } });
  console.log(`\n[postgres] bot.ask, extractive, ${questions.length} StackFAQ paraphrases one at a time, after ${WARMUP} warm-up asks`);

  const memory = [new MemoryConversationStore(), new MemoryConversationStore()] as const;
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-bench-pg-ask-"));
  const sqlite = await SqliteConversationStore.open({ path: join(dir, "conversations.sqlite") });
  const conversations = await PostgresConversationStore.open({ postgres: options.postgres, knowledge: stores.pg.knowledge });
  try {
    const a = "(a) query vectors cached, conversations in memory";
    await compare(rec, a, bot(stores.local, memory[0], options.cached), bot(stores.pg, memory[1], options.cached), questions);
    const b = "(b) query vectors cached, conversations in SQLite / PostgreSQL";
    await compare(rec, b, bot(stores.local, sqlite, options.cached), bot(stores.pg, conversations, options.cached), questions);
    const c = "(c) questions embedded (USE-lite), conversations in SQLite / PostgreSQL";
    await compare(rec, c, bot(stores.local, sqlite, options.embedder), bot(stores.pg, conversations, options.embedder), questions);
  } finally {
    // Not bot.dispose(): that would dispose the shared embedder and knowledge stores.
    await Promise.all([sqlite.dispose(), conversations.dispose(), ...memory.map((m) => m.dispose())]);
    await rm(dir, { recursive: true, force: true });
  }
  await retrievalCalls(rec, options);
}

async function compare(rec: Recorder, what: string, local: Bot, pg: Bot, questions: readonly string[]): Promise<void> {
  let n = 0;
  const ask = (bot: Bot) => (question: string) => answer(bot, `bench-${n++}-${what}`, question);
  for (const q of questions.slice(0, WARMUP)) await Promise.all([ask(local)(q), ask(pg)(q)]);
  const runs = await timeInterleaved(questions, [
    { name: "local", run: ask(local) },
    { name: "pg", run: ask(pg) },
  ]);
  const l = runs.get("local")!;
  const p = runs.get("pg")!;
  const same = l.results.filter((outcome, i) => outcome === p.results[i]).length / questions.length;
  console.log(`    ${what}: ${(same * 100).toFixed(1)}% of asks had the same outcome and top source on both stores`);
  rec.record(`bot.ask p50, local store, ${what}`, l.latency.p50Ms, "ms");
  rec.record(`bot.ask p50, PostgreSQL, ${what}`, p.latency.p50Ms, "ms");
  rec.record(`bot.ask p99, local store, ${what}`, l.latency.p99Ms, "ms");
  rec.record(`bot.ask p99, PostgreSQL, ${what}`, p.latency.p99Ms, "ms");
  rec.record(`bot.ask p50 PostgreSQL / local, ${what}`, p.latency.p50Ms / l.latency.p50Ms, "x", RATIO_TARGET);
}

/** Asks in a conversation of its own; returns "answered <top source>" or "abstained <top source>". */
async function answer(bot: Bot, conversationId: string, text: string): Promise<string> {
  for await (const event of bot.ask({ conversationId, text })) {
    if (event.type === "done") return `answered ${event.sources[0]?.id}`;
    if (event.type === "abstained") return `abstained ${event.sources[0]?.id}`;
    if (event.type === "error") throw new Error(`bot.ask(${JSON.stringify(text)}) failed: ${event.code} ${event.message}`);
  }
  throw new Error(`bot.ask(${JSON.stringify(text)}) ended without an answer`);
}

/** Where the time goes: each store call a hybrid retrieval makes (HybridRetriever's sizes), and PostgreSQL's round trips. */
async function retrievalCalls(rec: Recorder, options: AskLatencyOptions): Promise<void> {
  const { stores, questions, postgres } = options;
  console.log("\n[postgres] the store calls of one hybrid retrieval, p50 over the same questions (vectors cached)");
  const vectors = await options.cached.embed(questions);
  // Candidates to score and passages to read: the local store's 50 nearest (the same chunks on both stores).
  const inputs = await Promise.all(questions.map(async (q, i) => ({ q, v: vectors[i]!, ids: (await stores.local.searchVectors(vectors[i]!, 50)).map((h) => h.id) })));
  type Input = (typeof inputs)[number];
  const calls: [string, (s: KnowledgeStore, input: Input) => Promise<unknown>][] = [
    ["searchVectors k=50", (s, { v }) => s.searchVectors(v, 50)],
    ["searchLexical k=50", (s, { q }) => s.searchLexical(q, 50)],
    ["scoreChunks of 50 candidates", (s, { q, v, ids }) => s.scoreChunks(q, v, ids)],
    ["getPassages of 20", (s, { ids }) => s.getPassages(ids.slice(0, 20))],
  ];
  for (const [name, call] of calls) {
    const runs = await timeInterleaved(inputs, [
      { name: "local", run: (input) => call(stores.local, input) },
      { name: "pg", run: (input) => call(stores.pg, input) },
    ]);
    rec.record(`${name}, local store p50`, runs.get("local")!.latency.p50Ms, "ms");
    rec.record(`${name}, PostgreSQL p50`, runs.get("pg")!.latency.p50Ms, "ms");
  }
  const floor = await timeInterleaved(inputs, [
    { name: "select", run: () => postgres.query("SELECT 1") },
    { name: "transaction", run: () => postgres.transaction(async (client) => void (await client.query("SELECT 1"))) },
  ]);
  rec.record("PostgreSQL round trip (SELECT 1) p50", floor.get("select")!.latency.p50Ms, "ms");
  rec.record("PostgreSQL transaction of one SELECT 1 (BEGIN, SELECT, COMMIT) p50", floor.get("transaction")!.latency.p50Ms, "ms");
}

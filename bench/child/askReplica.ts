/**
 * One "replica": a bot on its own pool to a PostgreSQL knowledge base, asking questions one at a time from a
 * given moment on (so several replicas start together), and printing how many it answered when, as JSON.
 * Question vectors come from the file (no embedding model in the process: the figures are the bot's and the database's).
 * Usage: node dist/bench/child/askReplica.js <questions.json> <databaseUrl> <knowledge> <startAtEpochMs> <name>
 */
import { readFile } from "node:fs/promises";
import { createBot } from "../../src/bot.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { openPostgres } from "../../src/postgres/openPostgres.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";

/** What the parent writes for its replicas. */
export interface ReplicaQuestions {
  embedder: { id: string; dimensions: number };
  warmup: string[];
  questions: string[];
  /** Every question's vector, warm-up ones included. */
  vectors: Record<string, number[]>;
}

export interface AskReplicaResult {
  asks: number;
  /** When the first measured ask started and the last ended (epoch ms). */
  from: number;
  to: number;
  /** How late the replica was ready for the common start (0 when on time). */
  lateMs: number;
}

const [file, url, knowledge, startAt, name] = process.argv.slice(2);
if (file === undefined || url === undefined || knowledge === undefined || startAt === undefined || name === undefined) {
  throw new Error("usage: askReplica.js <questions.json> <databaseUrl> <knowledge> <startAtEpochMs> <name>");
}
const input = JSON.parse(await readFile(file, "utf8")) as ReplicaQuestions;
const embedder: Embedder = {
  ...input.embedder,
  embed: async (texts) =>
    texts.map((text) => {
      const vector = input.vectors[text];
      if (!vector) throw new Error(`askReplica: no vector for ${JSON.stringify(text.slice(0, 40))}`);
      return vector;
    }),
};
const postgres = await openPostgres(url, { log: () => {} });
const store = await PostgresKnowledgeStore.open({ postgres, knowledge });
const conversations = await PostgresConversationStore.open({ postgres, knowledge });
const bot = createBot({ knowledge: store, embedder, store: conversations, prompts: await loadPrompts(), policy: { mode: "extractive", handoffAfterAbstentions: 0 } });

async function ask(conversationId: string, text: string): Promise<void> {
  for await (const event of bot.ask({ conversationId, text })) {
    if (event.type === "error") throw new Error(`bot.ask(${JSON.stringify(text)}) failed: ${event.code} ${event.message}`);
  }
}

for (const [i, q] of input.warmup.entries()) await ask(`${name}-warmup-${i}`, q);
const lateMs = Math.max(0, Date.now() - Number(startAt));
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const from = Date.now();
for (const [i, q] of input.questions.entries()) await ask(`${name}-${i}`, q);
const result: AskReplicaResult = { asks: input.questions.length, from, to: Date.now(), lateMs };
await store.dispose();
await conversations.dispose();
await postgres.close();
console.log(JSON.stringify(result));

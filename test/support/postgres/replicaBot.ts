import { createBot, type Bot } from "../../../src/bot.js";
import type { Postgres } from "../../../src/postgres/Postgres.js";
import { PostgresConversationStore } from "../../../src/postgres/PostgresConversationStore.js";
import { loadPrompts } from "../../../src/prompts/loadPrompts.js";
import { faqIndex, hit, ScriptedRetriever } from "../botFixture.js";

export { RESET_ANSWER, RESET_QUESTION } from "../storeFileBots.js";

/**
 * A bot as one replica of several has it: conversations (and seen platform events) in the shared database,
 * on `postgres` (give each replica a pool of its own, as processes would have), under knowledge base `knowledge`.
 * It answers RESET_QUESTION extractively from a small in-memory FAQ (fake embedder, scripted retrieval).
 * Disposing the bot leaves `postgres` open.
 */
export async function replicaBot(postgres: Postgres, knowledge: string): Promise<Bot> {
  const { knowledge: faqs, embedder, passages } = await faqIndex();
  const retriever = new ScriptedRetriever([["reset my password", [hit(passages, "reset", 1, 0.92), hit(passages, "export", 0.3, 0.41)]]]);
  const store = await PostgresConversationStore.open({ postgres, knowledge });
  return createBot({ knowledge: faqs, embedder, store, retriever, prompts: await loadPrompts(), policy: { product: "Tidepool" } });
}

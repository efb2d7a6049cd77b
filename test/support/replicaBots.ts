import { createBot, type Bot } from "../../src/bot.js";
import { PostgresConversationStore } from "../../src/postgres/PostgresConversationStore.js";
import type { Postgres } from "../../src/postgres/Postgres.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { faqIndex, hit, ScriptedRetriever } from "./botFixture.js";
import type { TestDatabase } from "./postgres/testDatabase.js";

export { RESET_ANSWER, RESET_QUESTION } from "./storeFileBots.js";

export interface ReplicaBot {
  bot: Bot;
  /** The replica's own pool on the shared database. */
  postgres: Postgres;
  /** What its store answered to each `markEventSeen` (the channels' de-duplication), in order. */
  seen: { eventId: string; first: boolean }[];
}

/**
 * A bot as one of several replicas would have it: its conversations (and seen events) in the shared database,
 * through a pool of its own (the database's `dispose` closes it). It answers from the small FAQ of
 * `storeFileBots` (fake embedder, scripted retrieval), extractively: RESET_QUESTION gets RESET_ANSWER.
 */
export async function replicaBot(database: TestDatabase, knowledge: string): Promise<ReplicaBot> {
  const postgres = await database.open();
  const { knowledge: faq, passages, embedder } = await faqIndex();
  const retriever = new ScriptedRetriever([["reset my password", [hit(passages, "reset", 1, 0.92), hit(passages, "export", 0.3, 0.41)]]]);
  const store = await PostgresConversationStore.open({ postgres, knowledge });
  const seen: ReplicaBot["seen"] = [];
  // The store as it is, recording the answers of markEventSeen.
  const recording = new Proxy(store, {
    get(target, property) {
      if (property === "markEventSeen") {
        return async (eventId: string, windowMs: number) => {
          const first = await target.markEventSeen(eventId, windowMs);
          seen.push({ eventId, first });
          return first;
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const bot = createBot({ knowledge: faq, embedder, store: recording, prompts: await loadPrompts(), retriever, policy: { product: "Tidepool" } });
  return { bot, postgres, seen };
}

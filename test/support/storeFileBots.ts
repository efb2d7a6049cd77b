import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBot, type Bot } from "../../src/bot.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { faqIndex, hit, ScriptedRetriever } from "./botFixture.js";

/** Asked of the bots: answered extractively with RESET_ANSWER. */
export const RESET_QUESTION = "How do I reset my password?";
export const RESET_ANSWER = "Open Settings > Account and choose Reset password.";

export interface StoreFileBots {
  /** A bot as a new process would have it: a SqliteConversationStore opened anew on the shared file. */
  start(): Promise<Bot>;
  /** Disposes the bots still running and removes the file. */
  dispose(): Promise<void>;
}

/**
 * Bots taking turns on one conversation store file, as a process and its restart would: each `start()` opens
 * the file itself; dispose one (`bot.dispose()` closes its store) before starting the next to play a restart.
 * They answer from a small FAQ (fake embedder, scripted retrieval), extractively.
 */
export async function storeFileBots(): Promise<StoreFileBots> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-restart-"));
  const { knowledge, passages, embedder } = await faqIndex();
  const prompts = await loadPrompts();
  const retriever = new ScriptedRetriever([["reset my password", [hit(passages, "reset", 1, 0.92), hit(passages, "export", 0.3, 0.41)]]]);
  const bots: Bot[] = [];
  return {
    async start() {
      const store = await SqliteConversationStore.open({ path: join(dir, "conversations.sqlite") });
      const bot = createBot({ knowledge, embedder, store, prompts, retriever, policy: { product: "Tidepool" } });
      bots.push(bot);
      return bot;
    },
    async dispose() {
      for (const bot of bots) await bot.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

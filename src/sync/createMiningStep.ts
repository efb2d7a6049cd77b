import { ReviewedFaqConnector } from "../../connectors/reviewed-faq/index.js";
import type { ChatThread } from "../chat/ChatThread.js";
import type { LlamadeskConfig } from "../configFile.js";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import type { ChatModel } from "../model/ChatModel.js";
import { createChatModel, type ChatModelChoice } from "../model/createChatModel.js";
import type { MiningConfig } from "../mining/MiningConfig.js";
import { mineThreads } from "../mining/mineThreads.js";
import { openReviewQueue, type StateStoreLocation } from "../openStateStores.js";
import type { ConfiguredSource } from "./configuredSources.js";

export interface MiningStepOptions {
  /** The review queue: its SQLite file, or the database. */
  queue: StateStoreLocation;
  embedder: Embedder;
  /** The config file's checked `mining` section. */
  rules: MiningConfig;
  /** Chat model (a GGUF or a model server) that writes the condensed Q/A (with `rules.useModel` not false). Defaults to none: rule-based extraction. */
  model?: ChatModelChoice | undefined;
  /** Model settings from the config file (context size, threads, format). */
  modelConfig?: Pick<LlamadeskConfig, "modelFormat" | "contextSize" | "threads">;
  /** A model that could not load: mining goes on with rules. */
  onWarning?: (message: string) => void;
}

export interface MiningStep {
  /** For `syncSources`: mines the chat threads a source pulled into the review queue. */
  afterPull(source: ConfiguredSource, threads: ChatThread[], store: KnowledgeStore): Promise<Record<string, number>>;
  /** The approved candidates as a source of FAQ knowledge, synced after the others. */
  reviewedSource: ConfiguredSource;
  dispose(): Promise<void>;
}

/**
 * Resolved-thread mining as a sync step: the review queue opened once, the chat model loaded only
 * when a thread the queue has not seen needs a Q/A written (a sync with nothing new never loads it).
 */
export async function createMiningStep(options: MiningStepOptions): Promise<MiningStep> {
  const queue = await openReviewQueue(options.queue);
  let model: Promise<ChatModel | undefined> | undefined;
  const loadModel = (): Promise<ChatModel | undefined> =>
    (model ??= (async () => {
      if (!options.model || options.rules.useModel === false) return undefined;
      try {
        const { modelFormat, contextSize, threads } = options.modelConfig ?? {};
        return await createChatModel(options.model, { modelFormat, contextSize, threads });
      } catch (error) {
        options.onWarning?.(`mining without the chat model (rule-based Q/A): ${(error as Error).message}`);
        return undefined;
      }
    })());
  return {
    async afterPull(_source, threads, store) {
      // Threads the queue knows (in any status) are never mined again: only new ones go on, and the
      // model loads only for them.
      const unseen = [];
      for (const thread of threads) if (!(await queue.isKnownThread(thread.id))) unseen.push(thread);
      if (unseen.length === 0) return { "new candidate(s)": 0, merged: 0 };
      const chatModel = await loadModel();
      const summary = await mineThreads({ threads: unseen, queue, embedder: options.embedder, store, rules: options.rules, ...(chatModel ? { chatModel } : {}) });
      return { "new candidate(s)": summary.added, merged: summary.merged };
    },
    reviewedSource: { name: "reviewed-faq", connector: "reviewed-faq", create: () => new ReviewedFaqConnector({ queue }) },
    async dispose() {
      await (await model)?.dispose();
      await queue.dispose();
    },
  };
}

import type { Embedder } from "../knowledge/Embedder.js";
import { createEmbedder } from "../knowledge/createEmbedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import { HybridRetriever } from "../retrieval/HybridRetriever.js";
import { resolveIndex, type IndexCliOptions } from "./cliOptions.js";

export interface OpenedRetriever {
  retriever: HybridRetriever;
  store: KnowledgeStore;
  embedder: Embedder;
  /** Closes the store and the embedder. */
  dispose(): Promise<void>;
}

/** Opens the knowledge named by the CLI options and a retriever over it, with the embedder that built it. */
export async function openRetriever(options: IndexCliOptions): Promise<OpenedRetriever> {
  const { indexDir, embedder: embedderConfig, database } = await resolveIndex(options);
  const embedder = await createEmbedder(embedderConfig);
  const store = await openKnowledgeStore({ indexDir, database: database.url, knowledge: database.knowledge, embedder }).catch(async (error: unknown) => {
    await embedder.dispose?.();
    throw error;
  });
  return {
    retriever: new HybridRetriever({ store, embedder }),
    store,
    embedder,
    dispose: async () => {
      await store.dispose();
      await embedder.dispose?.();
    },
  };
}

import type { Embedder } from "../knowledge/Embedder.js";
import { createEmbedder } from "../knowledge/createEmbedder.js";
import { KnowledgeIndex } from "../knowledge/KnowledgeIndex.js";
import { HybridRetriever } from "../retrieval/HybridRetriever.js";
import { resolveIndex, type IndexCliOptions } from "./cliOptions.js";

export interface OpenedRetriever {
  retriever: HybridRetriever;
  index: KnowledgeIndex;
  embedder: Embedder;
  indexDir: string;
}

/** Loads the index named by the CLI options and a retriever over it, with the embedder that built it. */
export async function openRetriever(options: IndexCliOptions): Promise<OpenedRetriever> {
  const { indexDir, embedder: embedderConfig } = await resolveIndex(options);
  const embedder = await createEmbedder(embedderConfig);
  const index = await KnowledgeIndex.load(indexDir, { embedder });
  return { retriever: new HybridRetriever({ index, embedder }), index, embedder, indexDir };
}

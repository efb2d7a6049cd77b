import { Document } from "@langchain/core/documents";
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import type { Passage } from "../types.js";
import type { HybridRetriever, RetrieveOptions } from "./HybridRetriever.js";

/** What each LangChain Document carries besides its text. */
export type PassageMetadata = Omit<Passage, "text">;

export interface LangChainRetrieverInput extends BaseRetrieverInput {
  retriever: HybridRetriever;
  /** Passed to every retrieval (k, mode). */
  retrieveOptions?: RetrieveOptions;
}

/**
 * The hybrid retriever as a LangChain runnable, for the answer pipeline: each passage
 * becomes a Document whose metadata keeps its id, score and source for citations.
 */
export class LangChainRetriever extends BaseRetriever<PassageMetadata> {
  lc_namespace = ["llamadesk", "retrievers"];
  private readonly retriever: HybridRetriever;
  private readonly retrieveOptions: RetrieveOptions;

  constructor(input: LangChainRetrieverInput) {
    super(input);
    this.retriever = input.retriever;
    this.retrieveOptions = input.retrieveOptions ?? {};
  }

  override async _getRelevantDocuments(query: string): Promise<Document<PassageMetadata>[]> {
    const passages = await this.retriever.retrieve(query, this.retrieveOptions);
    return passages.map(({ text, ...metadata }) => new Document({ pageContent: text, metadata, id: metadata.chunkId }));
  }
}

export function toLangChainRetriever(retriever: HybridRetriever, retrieveOptions: RetrieveOptions = {}): LangChainRetriever {
  return new LangChainRetriever({ retriever, retrieveOptions });
}

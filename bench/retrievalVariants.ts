import type { Embedder } from "../src/knowledge/Embedder.js";
import type { KnowledgeStore } from "../src/knowledge/KnowledgeStore.js";
import { HybridRetriever, type HybridRetrieverOptions, type RetrievalMode } from "../src/retrieval/HybridRetriever.js";

/** One way of retrieving, as the harness compares them. */
export interface RetrievalVariant {
  name: string;
  mode: RetrievalMode;
  options?: Omit<HybridRetrieverOptions, "store" | "embedder">;
}

/** The two signals alone and the hybrid as shipped (the retriever's defaults). */
export const BASE_VARIANTS: readonly RetrievalVariant[] = [
  { name: "BM25 only", mode: "lexical" },
  { name: "vector only", mode: "vector" },
  { name: "hybrid (default)", mode: "hybrid" },
];

/** The fusions tried. */
export const CANDIDATE_VARIANTS: readonly RetrievalVariant[] = [
  { name: "min-max 50/50 + MMR 0.6", mode: "hybrid", options: { fusion: "minmax", lexicalWeight: 0.5, diversity: 0.6, repeatedQuestions: "keep" } },
  { name: "min-max 50/50", mode: "hybrid", options: { fusion: "minmax", lexicalWeight: 0.5, diversity: 1, repeatedQuestions: "keep" } },
  { name: "min-max 50/50, repeats last", mode: "hybrid", options: { fusion: "minmax", lexicalWeight: 0.5, diversity: 1, repeatedQuestions: "last" } },
  { name: "RRF k=10", mode: "hybrid", options: { fusion: "rrf", rrfK: 10, lexicalWeight: 0.5, diversity: 1, repeatedQuestions: "keep" } },
  { name: "RRF k=10, repeats last", mode: "hybrid", options: { fusion: "rrf", rrfK: 10, lexicalWeight: 0.5, diversity: 1, repeatedQuestions: "last" } },
  { name: "RRF k=60", mode: "hybrid", options: { fusion: "rrf", rrfK: 60, lexicalWeight: 0.5, diversity: 1, repeatedQuestions: "keep" } },
  { name: "RRF k=60 + MMR 0.6", mode: "hybrid", options: { fusion: "rrf", rrfK: 60, lexicalWeight: 0.5, diversity: 0.6, repeatedQuestions: "keep" } },
];

export function retrieverFor(variant: RetrievalVariant, store: KnowledgeStore, embedder: Embedder): (query: string, k: number) => ReturnType<HybridRetriever["retrieve"]> {
  const retriever = new HybridRetriever({ store, embedder, ...variant.options });
  return (query, k) => retriever.retrieve(query, { k, mode: variant.mode });
}

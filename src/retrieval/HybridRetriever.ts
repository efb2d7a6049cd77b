import type { Embedder } from "../knowledge/Embedder.js";
import type { ChunkHit, KnowledgeStore, PassageText } from "../knowledge/KnowledgeStore.js";
import { tokenize } from "../knowledge/tokenize.js";
import { LlamadeskError } from "../errors.js";
import type { Passage } from "../types.js";
import { diversify } from "./diversify.js";
import { fuseScores, rankFuseScores } from "./fuseScores.js";

export type RetrievalMode = "hybrid" | "vector" | "lexical";
/** How the two rankings become one: reciprocal ranks, or a weighted sum of min-max normalised scores. */
export type FusionMethod = "rrf" | "minmax";
export const RETRIEVAL_MODES: readonly RetrievalMode[] = ["hybrid", "vector", "lexical"];

export interface HybridRetrieverOptions {
  store: KnowledgeStore;
  embedder: Embedder;
  /** Defaults to `DEFAULT_FUSION.method` (see README, "How retrieval works, and how good it is"). */
  fusion?: FusionMethod;
  /** The k of reciprocal-rank fusion: higher flattens the head of each ranking. Defaults to `DEFAULT_FUSION.rrfK`. */
  rrfK?: number;
  /** Weight of the BM25 ranking (or score, for min-max) in the fused score; the vector one gets the rest. Defaults to 0.5. */
  lexicalWeight?: number;
  /** Candidates taken from each of the two rankings before fusing. Defaults to 50. */
  candidates?: number;
  /**
   * Relevance vs. novelty when ordering the fused list (maximal marginal relevance
   * over title similarity); 1 turns diversification off. Defaults to `DEFAULT_FUSION.diversity`.
   */
  diversity?: number;
  /**
   * Without diversification: `"last"` moves FAQ entries whose question an entry above them already has (a thread's
   * other answers) below the other questions in the head of the list, so they do not crowd out other questions.
   * Defaults to `DEFAULT_FUSION.repeatedQuestions`.
   */
  repeatedQuestions?: "keep" | "last";
}

/**
 * The shipped fusion, chosen by the worst case over every development set's tuning half (StackFAQ, banking77,
 * the sample FAQ, DSTC9 with our questions; BENCH_ONLY=quality and the README table): min-max 50/50 leads the better
 * signal by MRR +0.042 on its worst set, with MMR over titles +0.033, RRF falls below BM25 (k 10: -0.021, k 60:
 * -0.037). Moving a thread's
 * other answers below the other questions keeps StackFAQ's Recall@5 (0.961 held out, 0.945 without).
 */
export const DEFAULT_FUSION = { method: "minmax" as FusionMethod, rrfK: 60, lexicalWeight: 0.5, diversity: 1, repeatedQuestions: "last" as "keep" | "last" };

/** Stable: each FAQ question's first entry keeps its order; later entries with a question seen above go after the rest. */
export function repeatedQuestionsLast<T extends Pick<Passage, "title" | "kind">>(passages: readonly T[]): T[] {
  const seen = new Set<string>();
  const first: T[] = [];
  const repeated: T[] = [];
  for (const p of passages) {
    const key = p.title.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
    if (p.kind === "faq" && seen.has(key)) repeated.push(p);
    else first.push(p);
    if (p.kind === "faq") seen.add(key);
  }
  return [...first, ...repeated];
}

export interface RetrieveOptions {
  /** Passages to return. Defaults to 5. */
  k?: number;
  /** Defaults to "hybrid". */
  mode?: RetrievalMode;
  signal?: AbortSignal;
}

/**
 * Hybrid retrieval: BM25 and vector search each propose candidates; both score every
 * candidate exactly; the two rankings are fused (reciprocal ranks, or min-max normalised
 * scores); optionally the head is reordered for variety. Scores are comparable within
 * one query only.
 */
export class HybridRetriever {
  private readonly store: KnowledgeStore;
  private readonly embedder: Embedder;
  private readonly fusion: FusionMethod;
  private readonly rrfK: number;
  private readonly lexicalWeight: number;
  private readonly candidates: number;
  private readonly diversity: number;
  private readonly repeatedQuestions: "keep" | "last";

  constructor(options: HybridRetrieverOptions) {
    this.store = options.store;
    this.embedder = options.embedder;
    this.fusion = options.fusion ?? DEFAULT_FUSION.method;
    this.rrfK = options.rrfK ?? DEFAULT_FUSION.rrfK;
    this.lexicalWeight = options.lexicalWeight ?? DEFAULT_FUSION.lexicalWeight;
    this.candidates = options.candidates ?? 50;
    this.diversity = options.diversity ?? DEFAULT_FUSION.diversity;
    this.repeatedQuestions = options.repeatedQuestions ?? DEFAULT_FUSION.repeatedQuestions;
    if (this.embedder.id !== this.store.embedder.id) {
      throw new LlamadeskError(
        "EMBEDDER_MISMATCH",
        `The index was built with embedder "${this.store.embedder.id}" but "${this.embedder.id}" was given. Use the same embedder or rebuild the index.`,
      );
    }
  }

  async retrieve(query: string, options: RetrieveOptions = {}): Promise<Passage[]> {
    const k = options.k ?? 5;
    const mode = options.mode ?? "hybrid";
    if (!Number.isInteger(k) || k < 1) throw new LlamadeskError("INVALID_OPTION", `k must be a whole number of at least 1 (got ${k}).`);
    if (!query.trim()) return [];
    const { store } = this;

    if (mode === "lexical") return this.passages(await store.searchLexical(query, k), (score) => ({ lexical: score }));
    const [vector] = await this.embedder.embed([query], options.signal ? { signal: options.signal } : {});
    if (mode === "vector") return this.passages(await store.searchVectors(vector!, k), (score) => ({ vector: score }));

    const pool = Math.max(this.candidates, k);
    const [lexicalHits, vectorHits] = await Promise.all([store.searchLexical(query, pool), store.searchVectors(vector!, pool)]);
    const ids = [...new Set([...lexicalHits.map((h) => h.id), ...vectorHits.map((h) => h.id)])];
    if (ids.length === 0) return [];
    const scores = await store.scoreChunks(query, vector!, ids);
    // Both fusions read the exact scores of the same candidates, so they rank alike over every store.
    const weights = [this.lexicalWeight, 1 - this.lexicalWeight];
    const fused =
      this.fusion === "rrf" ? rankFuseScores([scores.lexical, scores.vector], weights.map((w) => 2 * w), this.rrfK) : fuseScores([scores.lexical, scores.vector], weights);
    const ranked = ids
      .map((id, i) => ({ id, score: fused[i]!, signals: { lexical: scores.lexical[i]!, vector: scores.vector[i]!, coverage: scores.coverage[i]! } }))
      .sort((a, b) => b.score - a.score);
    // Reorder only the head of the list: it is where a repeated question crowds out others.
    const head = ranked.slice(0, Math.max(20, k));
    const texts = await this.texts(head.map((c) => c.id));
    if (this.diversity >= 1) {
      const passages = head.map(({ score, signals }, i) => ({ ...texts[i]!, score, signals }));
      return (this.repeatedQuestions === "last" ? repeatedQuestionsLast(passages) : passages).slice(0, k);
    }
    const chosen = diversify(
      head.map((c, i) => ({ ...c, titleTerms: new Set(tokenize(texts[i]!.title)) })),
      this.diversity,
    ).slice(0, k);
    const byId = new Map(head.map((c, i) => [c.id, texts[i]!]));
    return chosen.map(({ id, score, signals }) => ({ ...byId.get(id)!, score, signals }));
  }

  private async passages(hits: readonly ChunkHit[], signals: (score: number) => Passage["signals"]): Promise<Passage[]> {
    const texts = await this.texts(hits.map((h) => h.id));
    return hits.map((hit, i) => ({ ...texts[i]!, score: hit.score, signals: signals(hit.score) }));
  }

  /** The chunks' texts and sources; every id a search returned must have them. */
  private async texts(chunkIds: readonly string[]): Promise<PassageText[]> {
    const found = await this.store.getPassages(chunkIds);
    return found.map((passage, i) => {
      if (!passage) throw new LlamadeskError("INDEX_CORRUPT", `Chunk ${chunkIds[i]} is in an index but not in the docstore. Rebuild with \`llamadesk ingest --rebuild\`.`);
      return passage;
    });
  }
}

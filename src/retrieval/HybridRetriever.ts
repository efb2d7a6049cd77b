import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeIndex } from "../knowledge/KnowledgeIndex.js";
import { tokenize } from "../knowledge/tokenize.js";
import { LlamadeskError } from "../errors.js";
import type { Passage } from "../types.js";
import { diversify } from "./diversify.js";
import { fuseScores } from "./fuseScores.js";

export type RetrievalMode = "hybrid" | "vector" | "lexical";
export const RETRIEVAL_MODES: readonly RetrievalMode[] = ["hybrid", "vector", "lexical"];

export interface HybridRetrieverOptions {
  index: KnowledgeIndex;
  embedder: Embedder;
  /**
   * Weight of the BM25 score in the fused score; the vector score gets the rest.
   * Defaults to 0.5 (tuned on StackFAQ: flat between 0.4 and 0.6).
   */
  lexicalWeight?: number;
  /** Candidates taken from each of the two rankings before fusing. Defaults to 50. */
  candidates?: number;
  /**
   * Relevance vs. novelty when ordering the fused list (maximal marginal relevance
   * over title similarity); 1 turns diversification off. Defaults to 0.6.
   */
  diversity?: number;
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
 * candidate exactly; the min-max normalised scores are mixed; the list is ordered
 * for relevance and variety. Scores are comparable within one query only.
 */
export class HybridRetriever {
  private readonly index: KnowledgeIndex;
  private readonly embedder: Embedder;
  private readonly lexicalWeight: number;
  private readonly candidates: number;
  private readonly diversity: number;

  constructor(options: HybridRetrieverOptions) {
    this.index = options.index;
    this.embedder = options.embedder;
    this.lexicalWeight = options.lexicalWeight ?? 0.5;
    this.candidates = options.candidates ?? 50;
    this.diversity = options.diversity ?? 0.6;
    if (this.embedder.id !== this.index.embedder.id) {
      throw new LlamadeskError(
        "EMBEDDER_MISMATCH",
        `The index was built with embedder "${this.index.embedder.id}" but "${this.embedder.id}" was given. Use the same embedder or rebuild the index.`,
      );
    }
  }

  async retrieve(query: string, options: RetrieveOptions = {}): Promise<Passage[]> {
    const k = options.k ?? 5;
    const mode = options.mode ?? "hybrid";
    if (!Number.isInteger(k) || k < 1) throw new LlamadeskError("INVALID_OPTION", `k must be a whole number of at least 1 (got ${k}).`);
    if (!query.trim() || this.index.chunkCount === 0) return [];

    if (mode === "lexical") {
      return this.index.lexical.search(query, k).map(({ id, score }) => this.passage(id, score, { lexical: score }));
    }
    const [vector] = await this.embedder.embed([query], options.signal ? { signal: options.signal } : {});
    if (mode === "vector") {
      return this.index.vectors.search(vector!, k).map(({ id, score }) => this.passage(id, score, { vector: score }));
    }

    const pool = Math.max(this.candidates, k);
    const ids = [
      ...new Set([
        ...this.index.lexical.search(query, pool).map((h) => h.id),
        ...this.index.vectors.search(vector!, pool).map((h) => h.id),
      ]),
    ];
    const lexical = this.index.lexical.scoreAll(query, ids);
    const similarity = this.index.vectors.similarity(vector!, ids);
    const fused = fuseScores([lexical, similarity], [this.lexicalWeight, 1 - this.lexicalWeight]);
    const ranked = ids
      .map((id, i) => ({ id, score: fused[i]!, signals: { lexical: lexical[i]!, vector: similarity[i]! } }))
      .sort((a, b) => b.score - a.score);
    // Diversify only the head of the list: it is where a repeated question crowds out others.
    const head = ranked.slice(0, Math.max(20, k)).map((c) => ({
      ...c,
      titleTerms: new Set(tokenize(this.index.getChunk(c.id)?.title ?? "")),
    }));
    const chosen = diversify(head, this.diversity).slice(0, k);
    const coverage = this.index.lexical.coverageAll(query, chosen.map((c) => c.id));
    return chosen.map(({ id, score, signals }, i) => this.passage(id, score, { ...signals, coverage: coverage[i]! }));
  }

  private passage(chunkId: string, score: number, signals: Passage["signals"]): Passage {
    const passage = this.index.getPassage(chunkId);
    if (!passage) throw new LlamadeskError("INDEX_CORRUPT", `Chunk ${chunkId} is in an index but not in the docstore. Rebuild with \`llamadesk ingest --rebuild\`.`);
    return { ...passage, score, signals };
  }

}

import { DEFAULT_BM25, idf, saturate, termFrequencies } from "./bm25.js";
import { isQuantity, tokenize } from "./tokenize.js";

export interface Bm25IndexOptions {
  /** Term-frequency saturation. Defaults to 1.2. */
  k1?: number;
  /** Length normalisation (0 = none, 1 = full). Defaults to 0.75. */
  b?: number;
  /**
   * How many times a title's terms count. Customers phrase questions like FAQ
   * titles, so a match there says more than one deep in an answer. Defaults to 2.
   */
  titleWeight?: number;
}

export interface LexicalHit {
  id: string;
  score: number;
}

/** The text a document is indexed under: a title (weighted) and a body. */
export interface LexicalDoc {
  id: string;
  title: string;
  text: string;
}

interface DocStats {
  length: number;
  terms: Map<string, number>;
}

/**
 * Okapi BM25 over an inverted index that supports adding and removing documents one
 * at a time, so incremental ingest never rebuilds it.
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  readonly titleWeight: number;
  private readonly docs = new Map<string, DocStats>();
  private readonly postings = new Map<string, Map<string, number>>();
  private totalLength = 0;

  constructor(options: Bm25IndexOptions = {}) {
    this.k1 = options.k1 ?? DEFAULT_BM25.k1;
    this.b = options.b ?? DEFAULT_BM25.b;
    this.titleWeight = options.titleWeight ?? DEFAULT_BM25.titleWeight;
  }

  get size(): number {
    return this.docs.size;
  }

  has(id: string): boolean {
    return this.docs.has(id);
  }

  /** Adds a document, replacing any earlier one with the same id. */
  upsert(doc: LexicalDoc): void {
    this.delete(doc.id);
    const { terms, length } = termFrequencies(doc.title, doc.text, this.titleWeight);
    for (const [term, tf] of terms) {
      let posting = this.postings.get(term);
      if (!posting) this.postings.set(term, (posting = new Map()));
      posting.set(doc.id, tf);
    }
    this.docs.set(doc.id, { length, terms });
    this.totalLength += length;
  }

  delete(id: string): boolean {
    const stats = this.docs.get(id);
    if (!stats) return false;
    for (const term of stats.terms.keys()) {
      const posting = this.postings.get(term);
      posting?.delete(id);
      if (posting?.size === 0) this.postings.delete(term);
    }
    this.docs.delete(id);
    this.totalLength -= stats.length;
    return true;
  }

  /** The k best documents for a query, best first. Documents sharing no term are not returned. */
  search(query: string, k: number): LexicalHit[] {
    const scores = new Map<string, number>();
    for (const { term, idf } of this.queryTerms(query)) {
      for (const [id, tf] of this.postings.get(term) ?? []) {
        scores.set(id, (scores.get(id) ?? 0) + idf * this.saturate(tf, id));
      }
    }
    return topK(scores, k);
  }

  /** Exact BM25 scores of the given documents for a query (0 where nothing matches). */
  scoreAll(query: string, ids: readonly string[]): number[] {
    const terms = this.queryTerms(query);
    return ids.map((id) => {
      const stats = this.docs.get(id);
      if (!stats) return 0;
      let score = 0;
      for (const { term, idf } of terms) {
        const tf = stats.terms.get(term);
        if (tf) score += idf * this.saturate(tf, id);
      }
      return score;
    });
  }

  /**
   * For each document, the share of the query's information it contains: the IDF of the query terms it has over
   * the IDF of all of them. Terms no document has count at full weight, so a question about something the
   * knowledge never mentions ("mortgage") scores low everywhere. Numbers count only for a document that has
   * them (see `isQuantity`). Comparable across queries, unlike BM25.
   */
  coverageAll(query: string, ids: readonly string[]): number[] {
    const n = this.docs.size;
    const terms = [...new Set(tokenize(query))].map((term) => ({ term, idf: idf(n, this.postings.get(term)?.size ?? 0), quantity: isQuantity(term) }));
    return ids.map((id) => {
      const stats = this.docs.get(id);
      if (!stats) return 0;
      let found = 0;
      let total = 0;
      for (const t of terms) {
        const has = stats.terms.has(t.term);
        if (has) found += t.idf;
        if (has || !t.quantity) total += t.idf;
      }
      return total === 0 ? 0 : found / total;
    });
  }

  private queryTerms(query: string): { term: string; idf: number }[] {
    const n = this.docs.size;
    const out: { term: string; idf: number }[] = [];
    for (const term of new Set(tokenize(query))) {
      const df = this.postings.get(term)?.size ?? 0;
      if (df > 0) out.push({ term, idf: idf(n, df) });
    }
    return out;
  }

  private saturate(tf: number, id: string): number {
    const avg = this.docs.size > 0 ? this.totalLength / this.docs.size : 1;
    return saturate(tf, this.docs.get(id)?.length ?? 0, avg, this);
  }
}

function topK(scores: Map<string, number>, k: number): LexicalHit[] {
  const hits = [...scores].map(([id, score]) => ({ id, score }));
  // Ties break on id so results are deterministic.
  hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return hits.slice(0, k);
}

import { LlamadeskError } from "../errors.js";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { cosine } from "../knowledge/VectorIndex.js";
import type { MergeTarget } from "./ReviewQueue.js";

/** Index chunks looked at per question: their FAQ docs' questions are then compared one to one. */
const FAQ_NEIGHBOURS = 10;
/** FAQ docs made from approved candidates (see connectors/reviewed-faq): a match merges into the candidate. */
const REVIEWED_PREFIX = "reviewed:";

export interface DuplicateFinderOptions {
  embedder: Embedder;
  /** FAQ entries (kind `faq`) in it are matched. Defaults to none. Must have been built by `embedder`. */
  store?: KnowledgeStore;
  /** Cosine similarity of two questions at which they are the same question. */
  threshold: number;
  /** Candidates already in the queue (pending and approved), by id and question. */
  candidates?: readonly { id: string; question: string }[];
  signal?: AbortSignal;
}

/**
 * Finds what a new question duplicates: an FAQ entry in the index or a candidate, compared question to
 * question by the cosine of their embeddings. Index vectors embed question + answer, so they only pick
 * the FAQ entries to compare; the entries' questions are embedded (once each) for the comparison itself.
 */
export class DuplicateFinder {
  private readonly pool: { id: string; title: string; vector: number[] }[] = [];
  private readonly faqVectors = new Map<string, number[]>();
  private pending: readonly { id: string; question: string }[];

  constructor(private readonly options: DuplicateFinderOptions) {
    const { store, embedder } = options;
    if (store && (store.embedder.id !== embedder.id || store.embedder.dimensions !== embedder.dimensions)) {
      throw new LlamadeskError(
        "EMBEDDER_MISMATCH",
        `The index was built with embedder "${store.embedder.id}" but mining embeds with "${embedder.id}": use the same embedder for both.`,
      );
    }
    this.pending = options.candidates ?? [];
  }

  /** Embeds the question and returns it with the closest match at or above the threshold, if any. */
  async find(question: string): Promise<{ vector: number[]; match?: MergeTarget }> {
    await this.embedPool();
    const [vector] = await this.embed([question]);
    let best: MergeTarget | undefined;
    const consider = (kind: MergeTarget["kind"], id: string, title: string, similarity: number) => {
      if (similarity >= this.options.threshold && (best === undefined || similarity > best.similarity)) best = { kind, id, title, similarity };
    };
    for (const c of this.pool) consider("candidate", c.id, c.title, cosine(vector!, c.vector));
    for (const faq of await this.nearFaqs(vector!)) {
      const reviewed = faq.id.startsWith(REVIEWED_PREFIX);
      consider(reviewed ? "candidate" : "faq", reviewed ? faq.id.slice(REVIEWED_PREFIX.length) : faq.id, faq.title, cosine(vector!, faq.vector));
    }
    return { vector: vector!, ...(best ? { match: best } : {}) };
  }

  /** Makes a new candidate a match for the questions after it. */
  remember(id: string, question: string, vector: number[]): void {
    this.pool.push({ id, title: question, vector });
  }

  private async embedPool(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const vectors = await this.embed(batch.map((c) => c.question));
    batch.forEach((c, i) => this.pool.push({ id: c.id, title: c.question, vector: vectors[i]! }));
  }

  private async nearFaqs(vector: number[]): Promise<{ id: string; title: string; vector: number[] }[]> {
    const { store } = this.options;
    if (!store) return [];
    const hits = await store.searchVectors(vector, FAQ_NEIGHBOURS);
    const docs = new Map<string, string>();
    // An FAQ entry is one chunk whose title is the entry's question.
    for (const passage of await store.getPassages(hits.map((h) => h.id))) {
      if (passage?.kind === "faq") docs.set(passage.docId, passage.title);
    }
    const missing = [...docs].filter(([id]) => !this.faqVectors.has(id));
    if (missing.length > 0) {
      const vectors = await this.embed(missing.map(([, title]) => title));
      missing.forEach(([id], i) => this.faqVectors.set(id, vectors[i]!));
    }
    return [...docs].map(([id, title]) => ({ id, title, vector: this.faqVectors.get(id)! }));
  }

  private embed(texts: string[]): Promise<number[][]> {
    return this.options.embedder.embed(texts, this.options.signal ? { signal: this.options.signal } : {});
  }
}

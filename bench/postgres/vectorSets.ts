import type { DocUpsert } from "../../src/knowledge/KnowledgeStore.js";
import { gaussian, lowRankSource, mulberry32 } from "../lib/random.js";

/** Vectors to load into a store (as one-chunk docs) and queries to search them with. */
export interface VectorSet {
  label: string;
  /** How the vectors were made, for the log. */
  what: string;
  size: number;
  /** The vector of item `i` (float32, as both stores keep them). */
  vector(i: number): Float32Array;
  /** The chunk title and text of item `i` (what its BM25 postings are made of). */
  text(i: number): { title: string; text: string };
  warmup: number[][];
  queries: number[][];
}

const ORIGIN = "bench:vectors";

/** Items `from` to `to` as one-chunk docs for `KnowledgeStore.apply`. */
export function upsertsOf(set: VectorSet, from: number, to: number): DocUpsert[] {
  const upserts: DocUpsert[] = [];
  for (let i = from; i < Math.min(to, set.size); i++) {
    const id = `v${i}`;
    const { title, text } = set.text(i);
    upserts.push({
      doc: { id, kind: "faq", title, text, contentHash: id },
      origin: ORIGIN,
      chunks: [{ id, docId: id, title, text }],
      vectors: [Array.from(set.vector(i))],
    });
  }
  return upserts;
}

/**
 * The low-rank set of bench/hnswVsExact.ts (same seed, so the same vectors): a 32-d Gaussian through a fixed
 * random map into `dimensions`, plus noise, normalised. Each doc's text is one word, so loading it is about vectors.
 */
export function lowRankSet(size: number, dimensions: number, queryCount: number, warmupCount: number): VectorSet {
  const source = lowRankSource(mulberry32(size), dimensions);
  const warmup = Array.from({ length: warmupCount }, source);
  const queries = Array.from({ length: queryCount }, source);
  const vectors = Array.from({ length: size }, () => Float32Array.from(source()));
  return {
    label: `${size / 1000}k low-rank`,
    what: `${size} x ${dimensions}-d low-rank unit vectors (32-d latent + noise), ${queryCount} queries from the same distribution`,
    size,
    vector: (i) => vectors[i]!,
    text: (i) => ({ title: "", text: `item${i}` }),
    warmup,
    queries,
  };
}

export interface EmbeddedFaq {
  /** The entries' question and answer, as their chunk's title and text. */
  entries: { title: string; text: string }[];
  /** Their embeddings, one per entry. */
  vectors: number[][];
  /** Embedded paraphrased questions. */
  queries: number[][];
}

/**
 * Real StackFAQ embeddings, replicated to `size`: the entries themselves, then mixes of two random entries
 * (weights uniform in 0.2..0.8) plus Gaussian noise (σ 0.01 a dimension), normalised, each with the text of its
 * heavier entry. The vectors stay where real answers lie; the queries are the real paraphrases.
 */
export function stackFaqSet(faq: EmbeddedFaq, size: number, queryCount: number, warmupCount: number): VectorSet {
  const random = mulberry32(719);
  const n = faq.vectors.length;
  const dimensions = faq.vectors[0]!.length;
  const textOf: number[] = [];
  const vectors = Array.from({ length: size }, (_, i) => {
    if (i < n) {
      textOf.push(i);
      return normalised(faq.vectors[i]!.map((x) => x));
    }
    const a = Math.floor(random() * n);
    const b = Math.floor(random() * n);
    const w = 0.2 + 0.6 * random();
    textOf.push(w >= 0.5 ? a : b);
    const va = faq.vectors[a]!;
    const vb = faq.vectors[b]!;
    return normalised(Array.from({ length: dimensions }, (_, d) => w * va[d]! + (1 - w) * vb[d]! + 0.01 * gaussian(random)));
  });
  // Warm-up queries are left out of the measured ones when there are enough of them.
  const spare = faq.queries.length - queryCount >= warmupCount;
  const queries = faq.queries.slice(0, queryCount);
  return {
    label: `${size / 1000}k StackFAQ-based`,
    what: `${n} StackFAQ answer embeddings (USE-lite) and ${size - n} noisy mixes of two of them, ${queries.length} real paraphrase queries`,
    size,
    vector: (i) => vectors[i]!,
    text: (i) => faq.entries[textOf[i]!]!,
    warmup: spare ? faq.queries.slice(queryCount, queryCount + warmupCount) : queries.slice(0, warmupCount),
    queries,
  };
}

function normalised(v: number[]): Float32Array {
  const norm = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / norm);
}

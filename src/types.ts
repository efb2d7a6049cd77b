import type { ChatThread } from "./chat/ChatThread.js";

/** What a piece of knowledge is: an FAQ entry, a past support conversation, or a longer document. */
export type SourceKind = "faq" | "chat" | "doc";

/** Where a piece of knowledge came from, precise enough to cite ("faq/billing.md:42"). */
export interface SourceLocation {
  /** Path of the source file, relative to the ingest root when there is one. */
  file: string;
  /** 1-based line where the entry starts. */
  line: number;
}

/** One unit of knowledge as a connector yields it, before chunking and embedding. */
export interface SourceDoc {
  /** Stable across re-ingests: an explicit id from the source, else derived from path + title. */
  id: string;
  kind: SourceKind;
  /** For an FAQ entry, the question. */
  title: string;
  /** For an FAQ entry, the answer. */
  text: string;
  /**
   * For an FAQ entry: other ways customers asked its question (merged threads, 👍 questions, a reviewer's
   * additions), indexed as extra search keys of the same entry. Normalised and deduplicated by
   * `withAlternates`; part of the content hash only when there are some.
   */
  alternates?: string[];
  url?: string;
  tags?: string[];
  /** ISO 8601, when the source knows it. */
  updatedAt?: string;
  /** sha256 of everything that affects indexing; unchanged hash = nothing to re-embed. */
  contentHash: string;
  location?: SourceLocation;
  /**
   * For a `chat` doc: the conversation it was made from, for resolved-thread mining.
   * Not indexed or stored in the index (the rendered `text` is).
   */
  thread?: ChatThread;
}

/** A problem a connector found in its input; the rest of the input still ingests. */
export interface SourceIssue {
  /** File (or other source) the problem is in. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  message: string;
}

export interface PullOptions {
  /** Called once per malformed file or entry; the connector skips it and goes on. */
  onIssue?: (issue: SourceIssue) => void;
  signal?: AbortSignal;
  /**
   * What this connector saved at the end of its last completed pull (a cursor, the
   * threads seen so far), as JSON; undefined on the first pull. Live connectors use
   * it to fetch only what changed, and still yield every doc that exists (ingest
   * deletes what a pull no longer yields).
   */
  state?: unknown;
  /** Saves (JSON-serialisable) state for the next pull; kept only when the pull completes. */
  saveState?: (state: unknown) => void;
}

/** A source of knowledge: FAQ files, a Slack export, a helpdesk... */
export interface Connector {
  /** Short name used in logs and summaries, e.g. "faq-files". */
  readonly name: string;
  /**
   * What this connector pulls, e.g. the resolved folder it reads. On re-ingest, docs
   * in the index from the same name + origin that the pull no longer yields are
   * deleted; docs from other origins are left alone.
   */
  readonly origin: string;
  pull(options?: PullOptions): AsyncIterable<SourceDoc>;
}

/** A retrieved piece of knowledge with its score and where it came from. */
export interface Passage {
  /** Chunk id: the source doc id, plus `#n` when a doc was split into several chunks. */
  chunkId: string;
  /** Id of the source doc the chunk belongs to. */
  docId: string;
  kind: SourceKind;
  title: string;
  /** The chunk's text as indexed. */
  text: string;
  url?: string;
  location?: SourceLocation;
  /** Higher is better. Hybrid scores are fused and comparable only within one query. */
  score: number;
  /**
   * The raw scores behind `score`, comparable across queries: cosine similarity of
   * the query and chunk embeddings, BM25, and the IDF-weighted share of the query's words the chunk contains
   * (hybrid retrieval only). A confidence gate should read these,
   * since the fused score is relative to the other candidates.
   */
  signals: { vector?: number; lexical?: number; coverage?: number };
}

import type { Passage, SourceKind, SourceLocation } from "../types.js";

/** A passage as an answer shows it: numbered as the prompt numbered it, with where it came from. */
export interface AnswerSource {
  /** The number the prompt gave it (`[n]` in a generative answer); stable for the whole conversation. */
  n: number;
  /** Source doc id. */
  id: string;
  chunkId: string;
  kind: SourceKind;
  title: string;
  /** How to cite it: its URL, else `file:line`, else its doc id. */
  source: string;
  url?: string;
  location?: SourceLocation;
  /** Retrieval score; comparable within one question only. */
  score: number;
}

/** How a passage is cited: its URL, else file:line, else its doc id. */
export function citationOf(p: Pick<Passage, "url" | "location" | "docId">): string {
  if (p.url) return p.url;
  if (p.location) return `${p.location.file}:${p.location.line}`;
  return p.docId;
}

export function toAnswerSource(p: Passage, n: number): AnswerSource {
  return {
    n,
    id: p.docId,
    chunkId: p.chunkId,
    kind: p.kind,
    title: p.title,
    source: citationOf(p),
    ...(p.url ? { url: p.url } : {}),
    ...(p.location ? { location: p.location } : {}),
    score: p.score,
  };
}

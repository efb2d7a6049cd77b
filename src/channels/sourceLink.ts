import type { AnswerSource } from "../pipeline/AnswerSource.js";

/** How a channel shows one source: its title, and a link when the source has a web address. */
export interface SourceLink {
  n: number;
  title: string;
  /** http(s) address to link to (a help-centre page, a thread permalink). */
  href?: string;
  /** Where it is when there is no link: `file:line` or the doc id. */
  where?: string;
}

/** The sources to list under an answer: the cited ones first (in citation order), then the rest, at most `max`. */
export function sourcesToShow(sources: readonly AnswerSource[], citations: readonly AnswerSource[], max = 4): AnswerSource[] {
  const cited = citations.filter((c, i) => citations.findIndex((o) => o.n === c.n) === i);
  const rest = sources.filter((s) => !cited.some((c) => c.n === s.n));
  return [...cited, ...rest].slice(0, max);
}

export function sourceLinkOf(source: AnswerSource): SourceLink {
  const href = source.url && /^https?:\/\//i.test(source.url) ? source.url : undefined;
  return href ? { n: source.n, title: source.title, href } : { n: source.n, title: source.title, where: source.source };
}

import type { AnswerSource } from "./AnswerSource.js";

export interface CitedAnswer {
  /** The answer with citation numbers that point nowhere taken out. */
  text: string;
  /** Sources the answer cites, in order of first citation. */
  citations: AnswerSource[];
  /** Numbers the model wrote that match no source. */
  dropped: number[];
}

// "[1]", "[1][2]", "[1, 3]", "[1,2,3]": one bracket with one or more numbers.
const CITATION = /\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]/g;

/**
 * The cite step: maps the model's bracketed numbers back to the sources it was given and drops numbers
 * that point nowhere (a model's slip must not look like a citation).
 */
export function cite(answer: string, sources: readonly AnswerSource[]): CitedAnswer {
  const byNumber = new Map(sources.map((s) => [s.n, s]));
  const citations = new Map<number, AnswerSource>();
  const dropped: number[] = [];
  const text = answer.replace(CITATION, (_, list: string) => {
    const kept = list
      .split(",")
      .map((x) => Number(x.trim()))
      .filter((n) => {
        const source = byNumber.get(n);
        if (source === undefined) {
          if (!dropped.includes(n)) dropped.push(n);
          return false;
        }
        if (!citations.has(n)) citations.set(n, source);
        return true;
      });
    return kept.map((n) => `[${n}]`).join("");
  });
  return { text: dropped.length > 0 ? tidy(text) : text.trim(), citations: [...citations.values()], dropped };
}

/** Spaces left behind where a dropped citation stood, before punctuation or doubled. */
function tidy(text: string): string {
  return text.replace(/[ \t]+([.,;:!?])/g, "$1").replace(/[ \t]{2,}/g, " ").trim();
}

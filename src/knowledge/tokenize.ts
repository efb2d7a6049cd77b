import { stemmer } from "stemmer";

// Function words that carry no topic. Kept short on purpose: "not", "no" and
// question words stay out of the list only when they matter for support text.
const STOPWORDS = new Set(
  (
    "a an and are as at be but by for if in into is it of on or such that the their then there these they this " +
    "to was will with i me my we our you your he she him her its what which who whom how why when where do does did " +
    "can could would should have has had am been being from so than too very just about again further once here all " +
    "any both each few more most other some own same only s t don doesn dont im ive id whats isnt get got want wants need"
  ).split(" "),
);

const WORD = /[\p{L}\p{N}]+/gu;
const NUMBER = /^\p{N}+$/u;

/**
 * A number in a question ("a team of 8", "for 3 months") is a quantity the answer seldom repeats: coverage counts it
 * for a passage that has it and does not hold it against one that does not.
 */
export function isQuantity(term: string): boolean {
  return NUMBER.test(term);
}
const LATIN = /^[a-z]+$/;

/**
 * Splits text into index terms: Unicode words, lower-cased, accents folded,
 * English stopwords dropped, English words Porter-stemmed ("refunds" -> "refund").
 * Numbers and non-Latin words are kept as they are.
 */
export function tokenize(text: string): string[] {
  const folded = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  const terms: string[] = [];
  for (const [word] of folded.matchAll(WORD)) {
    if (STOPWORDS.has(word)) continue;
    terms.push(LATIN.test(word) ? stemmer(word) : word);
  }
  return terms;
}

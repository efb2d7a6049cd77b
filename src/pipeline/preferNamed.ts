import { tokenize } from "../knowledge/tokenize.js";
import type { Passage } from "../types.js";

/**
 * The passages that mention the most of what a follow-up named ("to Australia" in "and to Australia?"), in their
 * order: a passage that does not mention it cannot answer a question about it, however well it matches the rest
 * (the shipping times of other countries). All of them when `named` is undefined or none mentions any of it. Words
 * every passage has ("Tidepool") tell nothing apart and are not counted.
 */
export function preferNamed(passages: Passage[], named: string | undefined): Passage[] {
  if (named === undefined || passages.length < 2) return passages;
  const words = passages.map((p) => new Set(tokenize(`${p.title}\n${p.text}`)));
  const terms = [...new Set(tokenize(named))].filter((t) => !words.every((w) => w.has(t)));
  const mentions = words.map((w) => terms.filter((t) => w.has(t)).length);
  const most = Math.max(...mentions);
  return most === 0 ? passages : passages.filter((_, i) => mentions[i] === most);
}

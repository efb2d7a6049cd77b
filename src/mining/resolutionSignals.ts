/** Reactions that mark a reply as the answer (Slack names and Discord emoji). */
export const DEFAULT_RESOLVED_REACTIONS = ["white_check_mark", "heavy_check_mark", "ballot_box_with_check", "✅", "✔️", "☑️"] as const;

/** Forum and transcript tags that mark a thread resolved (compared without case, emoji or punctuation). */
export const DEFAULT_RESOLVED_TAGS = ["solved", "resolved", "answered"] as const;

/** The asker saying it worked: "thanks, that worked", "solved", "works now"... */
export const DEFAULT_THANKS_PATTERNS = [
  String.raw`\b(thanks|thank you|thank u|thx|ty|tysm|cheers|much appreciated)\b`,
  String.raw`\b(that|this|it|which)( really| totally| finally| actually)? (worked|works|did it|did the trick|fixed it|fixed the issue|fixed the problem|solved it|solved the issue|solved the problem|helped)\b`,
  String.raw`\b(works|working) (now|again|perfectly|fine|great)\b`,
  String.raw`\b(solved|resolved|fixed)\b`,
  String.raw`\b(perfect|awesome|brilliant|excellent)\b`,
  String.raw`\b(got it|makes sense|all good|all set|sorted)\b`,
] as const;

/** The asker saying it did not (yet) work; checked before the thanks patterns. */
export const DEFAULT_NOT_RESOLVED_PATTERNS = [
  String.raw`\bthanks? (you )?for trying\b`,
  String.raw`\b(still|again)\b.{0,40}\b(fail|fails|failing|failed|error|errors|broken|stuck|crash|crashes|same|doesn'?t|does not|won'?t|can'?t|not)\b`,
  String.raw`\b(didn'?t|doesn'?t|does not|did not|won'?t|isn'?t|is not|not) (really )?(work|help|fix|solve|change)`,
  String.raw`\b(hasn'?t|has not|haven'?t|have not|wasn'?t|was not|isn'?t|is not|not) (been )?(fixed|solved|resolved)\b`,
  String.raw`\bbut\b.{0,60}\b(still|error|fail|fails|doesn'?t|didn'?t|not|won'?t|can'?t)\b`,
  String.raw`\b(no luck|same (error|problem|issue|thing)|unfortunately|stopped working|broke again|not working|happening again|keeps happening|came back)\b`,
  String.raw`\b(i'?ll|i will|let me|going to|gonna) (try|test|check|give it a (try|go|shot))\b`,
] as const;

/** How a message from the asker, after an answer, reads. */
export type AskerReply = "resolved" | "unresolved" | "neutral";

/** Strong confirmations that outweigh a follow-up question mark ("That worked! Can I also...?"). */
const CONFIRMED = /\b(worked|works now|working now|fixed|solved|did the trick)\b/iu;

/**
 * Reads an asker's message after an answer: "unresolved" on any not-resolved pattern, "resolved" on a
 * thanks pattern (unless it asks a new question without confirming), else "neutral".
 */
export function classifyAskerReply(text: string, rules: { thanksPatterns: readonly RegExp[]; notResolvedPatterns: readonly RegExp[] }): AskerReply {
  const t = text.replace(/[\u2018\u2019]/g, "'");
  if (rules.notResolvedPatterns.some((p) => p.test(t))) return "unresolved";
  if (t.includes("?") && !CONFIRMED.test(t)) return "neutral";
  return rules.thanksPatterns.some((p) => p.test(t)) ? "resolved" : "neutral";
}

/** `:white_check_mark:`, `White_Check_Mark::skin-tone-2` and `✅` with or without a variation selector compare equal to their plain names. */
export function normalizeReaction(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^:+|:+$/g, "")
    .replace(/::skin-tone-\d$/, "")
    .replace(/\uFE0F/g, "");
}

/** "✅ Solved" and "solved" compare equal; "Not solved" does not. */
export function normalizeTag(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

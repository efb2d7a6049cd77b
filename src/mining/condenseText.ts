/** Words people open a message with before the point. */
const GREETING = String.raw`(?:hi|hello|hey|hiya|howdy|greetings|yo|good (?:morning|afternoon|evening|day)|dear)`;
/** A greeting alone, with up to three more words ("Hi team!", "hey there", "HEY HO!", "Hello everyone,"). */
const GREETING_ONLY = new RegExp(String.raw`^${GREETING}\b[\s\w'-]{0,24}[!.,:;)]*$`, "iu");
/** A greeting in front of the point: "Hi Dana, ...", "Hello! ...", "hey ...". */
const GREETING_PREFIX = [
  new RegExp(String.raw`^${GREETING}(?:\s+[\w.'-]+){0,2}\s*[,!:;-]+\s*`, "iu"),
  new RegExp(String.raw`^${GREETING}\s+(?=\S)`, "iu"),
];
/** Sentences that carry no content: thanks-in-advance, sign-offs, offers of more help. */
const PLEASANTRY = [
  /^(thanks|thank you|thx|ty|cheers|regards|best( regards)?|kind regards|many thanks|much appreciated)\b[\s\w,.!'-]{0,40}$/iu,
  /^(any|all) (help|ideas?|pointers|suggestions)\b.{0,40}$/iu,
  /^(i )?(would )?(really )?appreciate (any|your|some) help\b.{0,30}$/iu,
  /^(please help|help|help me)[!.]*$/iu,
  /^(hope (this|that|it) helps|let me know if\b|is there anything else|anything else (i|we) can\b|have a (nice|great|good|lovely)\b|you'?re (very )?welcome|glad (i could|to|it)\b|happy to help|a pleasure\b|my pleasure|no problem|not a problem|no worries)/iu,
  /^(ok|okay|sure|great|alright|right|yes|no|yep|nope|sorry)[!.,]*$/iu,
  /^[-–—]+\s*\S+$/u,
];
/** Replies that only hold the line: "one moment please", "let me check that". */
const HOLDING =
  /\b(one moment|one sec(ond)?|just a (moment|sec(ond)?|minute)|give me a (moment|sec(ond)?|minute)|let me (check|look|see|verify|find|pull)|(i will|i'll|i am going to|i'm going to) (check|look|answer|verify|see|find)|bear with me|please (wait|hold)|checking (now|that|on)|looking into (it|this|that)|sorry for the (wait|delay|doubt))\b/iu;
/** Words that make a sentence a question or a problem report. */
const QUESTION_LIKE =
  /\?|^(how|what|why|when|where|which|who|can|could|is|are|does|do|did|should|would|will|may)\b|\b(want to know|wondering|trying to|can'?t|cannot|unable|error|fails?|failing|doesn'?t|won'?t|isn'?t|not working|stuck|need to|how to|help me|don'?t (understand|know|see)|not sure)\b/iu;

/** Slack/Discord emoji codes (`:wave:`) and emoji pictographs. */
const EMOJI = /:[a-z0-9_+-]+:|\p{Extended_Pictographic}\uFE0F?/gu;

/** Splits text into sentences (at . ! ? followed by space, at line breaks, and at emoji). */
export function splitSentences(text: string): string[] {
  return text
    .replace(EMOJI, "\n")
    .split(/\n+|(?<=[.!?])\s+(?=\S)/u)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** A sentence without the greeting in front of it, or "" when it was only a greeting or a pleasantry. */
export function stripPleasantries(sentence: string): string {
  if (GREETING_ONLY.test(sentence)) return "";
  let s = sentence;
  for (const prefix of GREETING_PREFIX) s = s.replace(prefix, "");
  s = s.trim();
  if (s === "" || PLEASANTRY.some((p) => p.test(s))) return "";
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The content sentences of a message, greetings, thanks-in-advance and sign-offs removed. */
export function contentSentences(text: string): string[] {
  return splitSentences(text)
    .map(stripPleasantries)
    .filter((s) => s !== "");
}

/** A reply that says nothing the FAQ needs: only pleasantries, or a short "one moment, let me check". */
export function isFiller(text: string): boolean {
  const content = contentSentences(text);
  if (content.length === 0) return true;
  const words = content.join(" ").split(/\s+/).length;
  return HOLDING.test(text) && words < 15;
}

/**
 * The question sentences of the asker's opening: all of them when short (3 sentences, 300 characters),
 * else the first sentence and the ones that ask or report the problem, up to `maxLength`.
 */
export function condenseQuestion(sentences: readonly string[], maxLength = 300): string {
  const all = sentences.join(" ");
  if (sentences.length <= 3 && all.length <= maxLength) return all;
  const keep = sentences.filter((s, i) => i === 0 || QUESTION_LIKE.test(s));
  let out = "";
  for (const s of keep) {
    if (out !== "" && out.length + 1 + s.length > maxLength) break;
    out = out === "" ? s : `${out} ${s}`;
  }
  return out.length > maxLength ? `${out.slice(0, maxLength - 1).replace(/\s+\S*$/, "")}…` : out;
}

/** A message without greetings and pleasantries, keeping its line structure (steps, lists). */
export function cleanMessage(text: string): string {
  return text
    .split("\n")
    .map((line) => contentSentences(line).join(" "))
    .filter((line) => line !== "")
    .join("\n");
}

/** A sentence that asks something or reports a problem. */
export function isQuestionLike(text: string): boolean {
  return QUESTION_LIKE.test(text.trim());
}

import type { ChatThread } from "../chat/ChatThread.js";
import { analyseThread, authorKey } from "./analyseThread.js";
import type { ChatMessage } from "../chat/ChatThread.js";
import { cleanMessage, condenseQuestion, contentSentences, isFiller, isQuestionLike } from "./condenseText.js";
import type { Resolution } from "./detectResolution.js";

/** A question/answer pair drawn from a resolved thread. */
export interface QaDraft {
  question: string;
  answer: string;
  /** Messages the question came from. */
  questionMessageIds: string[];
  /** Messages the answer came from, in thread order (the resolving reply and the agent's adjacent parts). */
  answerMessageIds: string[];
  extractedBy: "rules" | "model";
}

/**
 * Rule-based extraction. The question: the asker's opening messages before the first answer (a
 * greeting-only opening and the agent's "how can I help?" do not end it), greetings, sign-offs and
 * thanks-in-advance removed, trimmed to the question sentences. The answer: the resolving reply plus
 * the same person's adjacent messages (an answer split over several messages), without holding replies
 * ("one moment please") and pleasantries. Returns undefined when no question text is left.
 */
export function extractCandidate(thread: ChatThread, resolution: Resolution, supportUsers: readonly string[] = []): QaDraft | undefined {
  const answerIndex = resolution.answerIndex;
  if (!resolution.resolved || answerIndex === undefined) return undefined;
  const roles = analyseThread(thread, supportUsers);
  const { messages } = roles;

  const questionIds: string[] = [];
  const sentences: string[] = [];
  for (let i = roles.firstAskerIndex; i >= 0 && i < answerIndex; i++) {
    if (roles.isAnswerer(i) && sentences.length > 0) break;
    if (!roles.isAsker(i)) continue;
    const content = contentSentences(messages[i]!.text);
    if (content.length === 0) continue;
    sentences.push(...content);
    questionIds.push(messages[i]!.id);
  }
  const title = thread.title?.trim();
  if (sentences.length === 0 && title) sentences.push(title);
  if (sentences.length === 0) return undefined;

  const answerer = authorKey(messages[answerIndex]!);
  const sameAnswerer = (i: number) => messages[i]!.role !== "bot" && authorKey(messages[i]!) === answerer;
  const part = (i: number) => messages[i]!.role !== "bot" && !isFiller(messages[i]!.text) && !messages[i]!.text.trim().endsWith("?");
  let first = answerIndex;
  let followUp: number | undefined;
  for (let i = answerIndex - 1; i > roles.firstAskerIndex; i--) {
    if (messages[i]!.role === "bot") continue;
    if (!sameAnswerer(i)) break;
    if (part(i)) first = i;
  }
  // One follow-up: "How do I delete my account?" / "Settings > Delete account." / "Will my folders go too?" / "Yes." /
  // "thanks": the reply to the question itself is part of the answer too (not when the follow-up says it failed).
  const before = previousNonBot(messages, first);
  const earlier = before === undefined ? undefined : previousNonBot(messages, before);
  if (before !== undefined && earlier !== undefined && earlier > roles.firstAskerIndex && roles.isAsker(before) && isFollowUpQuestion(messages[before]!.text) && sameAnswerer(earlier) && part(earlier)) {
    followUp = earlier;
  }
  let last = answerIndex;
  for (let i = answerIndex + 1; i < messages.length; i++) {
    if (messages[i]!.role === "bot") continue;
    if (!sameAnswerer(i)) break;
    if (part(i)) last = i;
  }
  const answerIds: string[] = [];
  const answerParts: string[] = [];
  if (followUp !== undefined) {
    answerParts.push(cleanMessage(messages[followUp]!.text));
    answerIds.push(messages[followUp]!.id);
  }
  for (let i = first; i <= last; i++) {
    if (i !== answerIndex && !part(i)) continue;
    answerParts.push(cleanMessage(messages[i]!.text) || messages[i]!.text.trim());
    answerIds.push(messages[i]!.id);
  }
  return {
    question: condenseQuestion(sentences),
    answer: answerParts.join("\n"),
    questionMessageIds: questionIds,
    answerMessageIds: answerIds,
    extractedBy: "rules",
  };
}

function previousNonBot(messages: readonly ChatMessage[], index: number): number | undefined {
  for (let i = index - 1; i >= 0; i--) if (messages[i]!.role !== "bot") return i;
  return undefined;
}

/** "Will my shared folders be deleted too?", not "That didn't work, what else?". */
function isFollowUpQuestion(text: string): boolean {
  return isQuestionLike(text) && !/\b(didn'?t|doesn'?t|does not|did not|not|still|no luck|fail\w*|error)\b/iu.test(text);
}

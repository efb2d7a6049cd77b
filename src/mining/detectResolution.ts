import type { ChatThread } from "../chat/ChatThread.js";
import { analyseThread } from "./analyseThread.js";
import type { MiningRules } from "./MiningConfig.js";
import { classifyAskerReply, normalizeReaction, normalizeTag } from "./resolutionSignals.js";

/** One reason to believe a thread was resolved. */
export interface ResolutionSignal {
  kind: "source" | "tag" | "reaction" | "thanks";
  /** What was seen: `resolved: true`, the tag, the reaction, the asker's words. */
  detail: string;
  /** The message it was seen on (reactions, thanks). */
  messageId?: string;
}

export interface Resolution {
  /** A resolution signal was found and someone answered. */
  resolved: boolean;
  signals: ResolutionSignal[];
  /** Index in `thread.messages` of the reply that resolved it: the one with the ✅, else the answer just before the thanks, else the last answer. */
  answerIndex?: number;
  answerMessageId?: string;
  /** Why it is not resolved, for logs and tests. */
  reason?: string;
}

/**
 * Decides whether a thread was answered and resolved. Resolved needs a signal (the source says so,
 * a solved tag, a check-mark reaction, or the asker confirming after an answer, with "thanks, but it
 * still fails" cancelling an earlier thanks) AND an answer: an agent's reply, or in a thread with no
 * agents, a reply by someone other than the asker. A source that says `resolved: false` wins.
 */
export function detectResolution(thread: ChatThread, rules: Pick<MiningRules, "supportUsers" | "resolvedReactions" | "resolvedTags" | "thanksPatterns" | "notResolvedPatterns">): Resolution {
  if (thread.resolved === false) return { resolved: false, signals: [], reason: "the source marks it unresolved" };
  const roles = analyseThread(thread, rules.supportUsers);
  const { messages } = roles;
  if (roles.firstAskerIndex === -1) return { resolved: false, signals: [], reason: "no customer message" };

  const signals: ResolutionSignal[] = [];
  if (thread.resolved === true) signals.push({ kind: "source", detail: "resolved: true" });
  const tags = new Set(rules.resolvedTags.map(normalizeTag));
  for (const tag of thread.tags ?? []) if (tags.has(normalizeTag(tag))) signals.push({ kind: "tag", detail: tag });

  const reactions = new Set(rules.resolvedReactions.map(normalizeReaction));
  let reactedAnswer: number | undefined;
  messages.forEach((m, i) => {
    const hit = m.reactions?.find((r) => reactions.has(normalizeReaction(r)));
    if (hit === undefined) return;
    // A check mark on the question itself says "resolved" but not by which reply.
    if (i === roles.firstAskerIndex || roles.isAnswerer(i)) signals.push({ kind: "reaction", detail: hit, messageId: m.id });
    if (roles.isAnswerer(i)) reactedAnswer ??= i;
  });

  // The asker's last word after the first answer decides: "thanks, that worked" then "wait, it broke again" is not resolved.
  const firstAnswer = messages.findIndex((_, i) => roles.isAnswerer(i));
  let thanksIndex: number | undefined;
  if (firstAnswer !== -1) {
    for (let i = firstAnswer + 1; i < messages.length; i++) {
      if (!roles.isAsker(i)) continue;
      const reading = classifyAskerReply(messages[i]!.text, rules);
      if (reading === "resolved") thanksIndex = i;
      else if (reading === "unresolved") thanksIndex = undefined;
    }
  }
  if (thanksIndex !== undefined) signals.push({ kind: "thanks", detail: messages[thanksIndex]!.text.trim().slice(0, 200), messageId: messages[thanksIndex]!.id });

  if (signals.length === 0) return { resolved: false, signals, reason: "no resolution signal" };
  if (firstAnswer === -1) return { resolved: false, signals, reason: "no answer from an agent or another participant" };
  const answerIndex = reactedAnswer ?? (thanksIndex !== undefined ? lastAnswerBefore(thanksIndex, roles.isAnswerer) : undefined) ?? lastAnswerBefore(messages.length, roles.isAnswerer)!;
  return { resolved: true, signals, answerIndex, answerMessageId: messages[answerIndex]!.id };
}

function lastAnswerBefore(end: number, isAnswerer: (i: number) => boolean): number | undefined {
  for (let i = end - 1; i >= 0; i--) if (isAnswerer(i)) return i;
  return undefined;
}

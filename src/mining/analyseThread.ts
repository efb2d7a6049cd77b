import type { ChatMessage, ChatThread } from "../chat/ChatThread.js";

/** Who is who in a thread, as mining sees it. */
export interface ThreadRoles {
  /** The thread's messages, with designated support users' messages marked `agent`. */
  messages: ChatMessage[];
  /** Index of the asker's first message; -1 when no customer wrote in the thread. */
  firstAskerIndex: number;
  /** Whether a message is the asker's. */
  isAsker(index: number): boolean;
  /**
   * Whether a message can answer the question: an agent's reply, or, in a thread with no agents at
   * all (no support users known), a reply by anyone but the asker. Never a bot, never before the question.
   */
  isAnswerer(index: number): boolean;
}

/** The author's identity for matching: their platform id when known, else their name. */
export function authorKey(message: ChatMessage): string {
  return message.authorId ?? message.author;
}

/**
 * Applies the designated support users (names or platform ids, case-insensitive) and finds the asker:
 * the author of the first customer message.
 */
export function analyseThread(thread: ChatThread, supportUsers: readonly string[] = []): ThreadRoles {
  const support = new Set(supportUsers.map((u) => u.toLowerCase()));
  const messages = thread.messages.map((m): ChatMessage => {
    const designated = m.role === "customer" && (support.has(m.author.toLowerCase()) || (m.authorId !== undefined && support.has(m.authorId.toLowerCase())));
    return designated ? { ...m, role: "agent" } : m;
  });
  const firstAskerIndex = messages.findIndex((m) => m.role === "customer");
  const asker = firstAskerIndex === -1 ? undefined : authorKey(messages[firstAskerIndex]!);
  const hasAgents = messages.some((m) => m.role === "agent");
  const isAsker = (i: number) => asker !== undefined && messages[i]?.role === "customer" && authorKey(messages[i]!) === asker;
  const isAnswerer = (i: number) => {
    const m = messages[i];
    if (m === undefined || firstAskerIndex === -1 || i <= firstAskerIndex) return false;
    return hasAgents ? m.role === "agent" : m.role === "customer" && authorKey(m) !== asker;
  };
  return { messages, firstAskerIndex, isAsker, isAnswerer };
}

import type { ChatThread } from "../chat/ChatThread.js";

/** One fine-tuning example: a conversation of customer turns, each answered by support. */
export interface TrainingExample {
  /** Customer message and the answer to it, in order; at least one. */
  turns: { user: string; assistant: string }[];
  /** Where it came from (a thread link, an FAQ id), for the operator; never written to the training text. */
  source: string;
}

/** A question and its reviewed answer as one single-turn example. */
export function exampleFromQa(question: string, answer: string, source: string): TrainingExample {
  return { turns: [{ user: question.trim(), assistant: answer.trim() }], source };
}

/**
 * A resolved thread as a multi-turn example: consecutive messages by one side joined,
 * bot messages left out, the customer's part before each support reply as one turn. The
 * customer's last words after the final answer ("thanks, that worked!") are dropped: there
 * is no answer to learn from them. Undefined when no support reply follows a customer message.
 */
export function exampleFromThread(thread: ChatThread): TrainingExample | undefined {
  const asker = thread.messages[0]?.authorId ?? thread.messages[0]?.author;
  // A thread with no designated agents: anyone but the asker answers.
  const hasAgents = thread.messages.some((m) => m.role === "agent");
  const side = (m: ChatThread["messages"][number]): "user" | "assistant" | undefined => {
    if (m.role === "bot") return undefined;
    if (hasAgents) return m.role === "agent" ? "assistant" : "user";
    return (m.authorId ?? m.author) === asker ? "user" : "assistant";
  };
  const turns: TrainingExample["turns"] = [];
  let user: string[] = [];
  let assistant: string[] = [];
  const flush = () => {
    if (user.length > 0 && assistant.length > 0) turns.push({ user: user.join("\n"), assistant: assistant.join("\n") });
    if (assistant.length > 0) user = [];
    assistant = [];
  };
  for (const message of thread.messages) {
    const who = side(message);
    const text = message.text.trim();
    if (!who || !text) continue;
    if (who === "user") {
      if (assistant.length > 0) flush();
      user.push(text);
    } else if (user.length > 0 || turns.length > 0) {
      assistant.push(text);
    }
  }
  flush();
  if (turns.length === 0) return undefined;
  return { turns, source: thread.url ?? thread.id };
}

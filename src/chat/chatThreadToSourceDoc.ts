import { makeSourceDoc } from "../sourceDoc.js";
import type { SourceDoc } from "../types.js";
import type { ChatMessage, ChatThread } from "./ChatThread.js";

/** Longest title made from a thread's first message, in characters. */
const TITLE_LENGTH = 120;

/**
 * A thread as knowledge: a `chat` SourceDoc whose title is the customer's question
 * (the thread's own title, else its first message), whose text is the conversation
 * one message per paragraph ("alice (customer): ..."), with the participants, the
 * thread's tags, and its link as the citation. The thread rides along for mining.
 */
export function chatThreadToSourceDoc(thread: ChatThread): SourceDoc {
  const first = thread.messages[0];
  const title = thread.title?.trim() || shorten(first?.text ?? thread.id);
  const participants = [...new Set(thread.messages.map((m) => m.author))];
  const body = thread.messages.map(renderMessage).join("\n\n");
  const header = [thread.channel ? `Past conversation in ${thread.channel}` : "Past conversation", `participants: ${participants.join(", ")}`].join(", ");
  return makeSourceDoc({
    id: thread.id,
    kind: "chat",
    title,
    text: `${header}\n\n${body}`,
    ...(thread.url ? { url: thread.url } : {}),
    ...(thread.tags?.length ? { tags: thread.tags } : {}),
    ...(thread.updatedAt ? { updatedAt: thread.updatedAt } : {}),
    ...(thread.location ? { location: thread.location } : {}),
    thread,
  });
}

function renderMessage(message: ChatMessage): string {
  return `${message.author} (${message.role}): ${message.text.trim()}`;
}

/** The first line of a message, cut at a word boundary. */
export function shorten(text: string, max = TITLE_LENGTH): string {
  const line = text.trim().split("\n")[0]!.trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, "")}…`;
}

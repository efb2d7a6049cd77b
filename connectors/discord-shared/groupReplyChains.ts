import type { DiscordMessage } from "./DiscordMessage.js";
import { compareSnowflakes } from "./snowflake.js";

export interface GroupReplyChainsOptions {
  /**
   * A message that replies to nothing, written by the author of the message just
   * before it within this many milliseconds, continues that message's conversation
   * (a question typed as three messages, an answer in two). Defaults to 5 minutes.
   */
  continuationMs?: number;
}

/**
 * Splits a plain text channel into conversations. A reply joins the conversation
 * of the message it answers, so a reply chain is one conversation; a message
 * replying to nothing starts a new one, unless it continues its author's previous
 * message (see `continuationMs`). A reply to a message that is not there (deleted,
 * outside the export's date range, in another channel) starts a conversation of
 * its own. System messages (joins, pins, "started a thread") take no part.
 *
 * @param messages one channel's messages, in any order
 * @returns conversations in the order they started, each in message order (its first message is the root)
 */
export function groupReplyChains(messages: readonly DiscordMessage[], options: GroupReplyChainsOptions = {}): DiscordMessage[][] {
  const continuationMs = options.continuationMs ?? 5 * 60_000;
  const sorted = messages.filter((m) => m.kind === "message").sort((a, b) => compareSnowflakes(a.id, b.id));
  const conversationOf = new Map<string, DiscordMessage[]>();
  const conversations: DiscordMessage[][] = [];
  let previous: DiscordMessage | undefined;
  for (const message of sorted) {
    let conversation: DiscordMessage[] | undefined;
    if (message.reference !== undefined) {
      conversation = conversationOf.get(message.reference.messageId);
    } else if (
      previous !== undefined &&
      previous.author.id === message.author.id &&
      Date.parse(message.timestamp) - Date.parse(previous.timestamp) <= continuationMs
    ) {
      conversation = conversationOf.get(previous.id);
    }
    if (conversation === undefined) {
      conversation = [];
      conversations.push(conversation);
    }
    conversation.push(message);
    conversationOf.set(message.id, conversation);
    previous = message;
  }
  return conversations;
}

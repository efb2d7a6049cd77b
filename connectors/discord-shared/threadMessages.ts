import type { DiscordMessage } from "./DiscordMessage.js";

/**
 * A thread's messages with its starter in place. A thread started from a channel
 * message opens with a "thread starter" that only points at that message: it is
 * replaced by the message itself (sent along by the API, or found by `find` in the
 * parent channel's export), or dropped when neither has it.
 */
export function threadMessages(messages: readonly DiscordMessage[], find: (id: string) => DiscordMessage | undefined = () => undefined): DiscordMessage[] {
  const result: DiscordMessage[] = [];
  for (const message of messages) {
    if (message.kind !== "threadStarter") {
      result.push(message);
      continue;
    }
    const starter = message.starter ?? (message.reference ? find(message.reference.messageId) : undefined);
    if (starter !== undefined && !result.some((m) => m.id === starter.id)) result.unshift(starter);
  }
  return result;
}

import { MessageReferenceType, MessageType, type APIMessage, type APIUser } from "discord.js";
import type { DiscordMessage } from "../discord-shared/DiscordMessage.js";

/** Message types people (and bots) write in: default, reply, slash-command and context-menu responses. */
const CONVERSATION_TYPES = new Set<number>([MessageType.Default, MessageType.Reply, MessageType.ChatInputCommand, MessageType.ContextMenuCommand]);

/**
 * A REST message object as a DiscordMessage. Author roles are left empty (message
 * objects do not carry them; the connector fills them from member look-ups).
 */
export function fromApiMessage(message: APIMessage): DiscordMessage {
  const kind = CONVERSATION_TYPES.has(message.type) ? "message" : message.type === MessageType.ThreadStarterMessage ? "threadStarter" : "system";
  const ref = message.message_reference;
  // A forwarded message points at its origin, but answers nothing.
  const reference = ref?.message_id && ref.type !== MessageReferenceType.Forward ? { messageId: ref.message_id, ...(ref.channel_id ? { channelId: ref.channel_id } : {}) } : undefined;
  const starter = kind === "threadStarter" && message.referenced_message ? fromApiMessage(message.referenced_message) : undefined;
  return {
    id: message.id,
    kind,
    timestamp: new Date(message.timestamp).toISOString(),
    ...(message.edited_timestamp ? { editedTimestamp: new Date(message.edited_timestamp).toISOString() } : {}),
    content: message.content ?? "",
    author: { id: message.author.id, name: message.author.username, displayName: displayNameOf(message.author), isBot: message.author.bot === true || message.webhook_id !== undefined, roles: [] },
    ...(reference ? { reference } : {}),
    reactions: (message.reactions ?? []).filter((r) => r.count > 0 && r.emoji.name).map((r) => r.emoji.name!),
    attachments: (message.attachments ?? []).map((a) => a.filename),
    mentions: (message.mentions ?? []).map((u) => ({ id: u.id, name: displayNameOf(u) })),
    ...(starter ? { starter } : {}),
  };
}

function displayNameOf(user: Pick<APIUser, "username" | "global_name">): string {
  return user.global_name?.trim() || user.username;
}

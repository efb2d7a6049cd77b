import { z } from "zod";
import type { ChatMessage, ChatRole, ChatThread } from "../../src/chat/ChatThread.js";
import type { SourceLocation } from "../../src/types.js";
import { decodeDiscordMarkup } from "./decodeDiscordMarkup.js";
import type { DiscordAuthor, DiscordMessage, DiscordNames } from "./DiscordMessage.js";

/** Who counts as support staff, and how small a conversation may be. Shared by both Discord connectors' options. */
export interface DiscordSupportOptions {
  /** User ids, usernames or display names (any case) whose messages are the team's answers (role `agent`). Defaults to none. */
  supportUsers?: readonly string[];
  /** Role names or ids (any case) whose members' messages are the team's answers (role `agent`). Defaults to none. */
  supportRoles?: readonly string[];
  /**
   * Conversations with fewer messages (after system messages and empty ones are dropped)
   * are skipped: a lone message nobody answered teaches nothing. Defaults to 2.
   */
  minMessages?: number;
}

/** The config-file fields of `DiscordSupportOptions`, for both connectors' zod schemas. */
export const discordSupportOptionsShape = {
  supportUsers: z.array(z.string().min(1)).optional(),
  supportRoles: z.array(z.string().min(1)).optional(),
  minMessages: z.number().int().min(1).optional(),
};

/** One conversation to turn into a ChatThread: a reply chain of a text channel, or a whole thread or forum post. */
export interface DiscordConversation {
  /** "0" (or undefined) for direct messages. */
  guildId: string | undefined;
  /** The channel the messages are in: the thread's own id for a thread or forum post. */
  channelId: string;
  /** Where it happened, for display: the text channel, or the thread's parent channel or forum. */
  channelName: string;
  /** Set when the conversation is a whole thread or forum post. */
  thread?: { title: string; tags: readonly string[] };
  /** Its messages; system messages among them are dropped. The first is the root. */
  messages: readonly DiscordMessage[];
  location?: SourceLocation;
}

/** Forum tags that say a post was answered ("Solved", "✅ Resolved", "answered"). */
const RESOLVED_TAGS = new Set(["solved", "resolved", "answered"]);

export function isResolvedTag(tag: string): boolean {
  return RESOLVED_TAGS.has(tag.toLowerCase().replace(/[^a-z]/g, ""));
}

/**
 * A conversation as a `ChatThread`: markup decoded, authors given roles (agent for
 * support users and roles, bot for bots, else customer), attachments noted, and a
 * jump link back to Discord. Undefined for bot noise (no human wrote in it) and for
 * conversations shorter than `minMessages`.
 *
 * Ids: `discord:<threadId>` for a thread or forum post, `discord:<channelId>:<root message id>` for a reply chain.
 */
export function toDiscordChatThread(conversation: DiscordConversation, names: DiscordNames, options: DiscordSupportOptions = {}): ChatThread | undefined {
  const root = conversation.messages[0];
  if (root === undefined) return undefined;
  const isSupport = supportMatcher(options);
  const roleOf = (author: DiscordAuthor): ChatRole => (author.isBot ? "bot" : isSupport(author) ? "agent" : "customer");
  const messages: ChatMessage[] = [];
  let updatedAt = "";
  for (const message of conversation.messages) {
    if (message.kind !== "message") continue;
    const text = [decodeDiscordMarkup(message.content, names).trim(), ...message.attachments.map((file) => `[attachment: ${file}]`)].filter(Boolean).join("\n");
    if (text === "") continue;
    const changed = message.editedTimestamp ?? message.timestamp;
    if (changed > updatedAt) updatedAt = changed;
    messages.push({
      id: message.id,
      author: message.author.displayName,
      authorId: message.author.id,
      role: roleOf(message.author),
      text,
      ts: message.timestamp,
      ...(message.reactions.length > 0 ? { reactions: [...message.reactions] } : {}),
      ...(message.editedTimestamp !== undefined ? { edited: true } : {}),
    });
  }
  if (messages.length < (options.minMessages ?? 2) || messages.every((m) => m.role === "bot")) return undefined;

  const guild = conversation.guildId && conversation.guildId !== "0" ? conversation.guildId : "@me";
  const { thread } = conversation;
  const tags = thread ? [...thread.tags] : [];
  return {
    id: thread ? `discord:${conversation.channelId}` : `discord:${conversation.channelId}:${root.id}`,
    platform: "discord",
    channel: `#${conversation.channelName}`,
    ...(thread ? { title: thread.title } : {}),
    url: thread ? `https://discord.com/channels/${guild}/${conversation.channelId}` : `https://discord.com/channels/${guild}/${conversation.channelId}/${root.id}`,
    messages,
    ...(tags.length > 0 ? { tags } : {}),
    ...(tags.some(isResolvedTag) ? { resolved: true } : {}),
    ...(conversation.location ? { location: conversation.location } : {}),
    updatedAt,
  };
}

function supportMatcher(options: DiscordSupportOptions): (author: DiscordAuthor) => boolean {
  const users = new Set((options.supportUsers ?? []).map((u) => u.toLowerCase()));
  const roles = new Set((options.supportRoles ?? []).map((r) => r.toLowerCase()));
  return (author) =>
    [author.id, author.name, author.displayName].some((key) => users.has(key.toLowerCase())) ||
    author.roles.some((role) => roles.has(role.id) || (role.name !== undefined && roles.has(role.name.toLowerCase())));
}

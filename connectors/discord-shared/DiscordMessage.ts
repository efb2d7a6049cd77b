/**
 * A Discord message as both Discord connectors see it once read: the export's
 * JSON (DiscordChatExporter) and the REST API's message objects are each
 * normalised to this, so reply-chain grouping, markup decoding and thread
 * building are written once. JSON-serialisable: the API connector keeps these in
 * its saved state between pulls.
 */
export interface DiscordMessage {
  /** Snowflake id. */
  id: string;
  /**
   * `message` for what people (and bots) wrote: default messages, replies, command
   * responses. `threadStarter` for the first message of a thread started from a
   * channel message (it points at that message). `system` for joins, pins,
   * renames, boosts, "started a thread"...: never part of a conversation.
   */
  kind: "message" | "threadStarter" | "system";
  /** ISO 8601. */
  timestamp: string;
  /** ISO 8601, when the message was edited. */
  editedTimestamp?: string;
  /** Raw text: may hold Discord markup (`<@123>`, `<#456>`, `<:name:789>`), decoded when the thread is built. */
  content: string;
  author: DiscordAuthor;
  /** The message this one replies to; for a thread starter, the channel message the thread was started from. */
  reference?: { messageId: string; channelId?: string };
  /** Reaction emoji names: "✅" for Unicode emoji, the name for custom ones. */
  reactions: string[];
  /** File names of attachments. */
  attachments: string[];
  /** Users mentioned in the content, to decode `<@id>`. */
  mentions: { id: string; name: string }[];
  /** For a thread starter read from the API: the message the thread was started from, as Discord sent it along. */
  starter?: DiscordMessage;
  /** 1-based line in the export file where the message starts (exports only). */
  line?: number;
}

export interface DiscordAuthor {
  id: string;
  /** Username. */
  name: string;
  /** Server nickname or global display name; the username when there is none. */
  displayName: string;
  isBot: boolean;
  /** Roles the author had, when the source says (exports do; the API after a member look-up). */
  roles: { id: string; name?: string }[];
}

/** Names that Discord markup refers to by id: users, roles, channels. */
export interface DiscordNames {
  users: Map<string, string>;
  roles: Map<string, string>;
  channels: Map<string, string>;
}

export function emptyDiscordNames(): DiscordNames {
  return { users: new Map(), roles: new Map(), channels: new Map() };
}

/** Adds the authors, mentioned users and author roles of these messages to `names`. */
export function learnNames(names: DiscordNames, messages: Iterable<DiscordMessage>): void {
  for (const message of messages) {
    names.users.set(message.author.id, message.author.displayName);
    for (const role of message.author.roles) if (role.name !== undefined) names.roles.set(role.id, role.name);
    for (const mention of message.mentions) if (!names.users.has(mention.id)) names.users.set(mention.id, mention.name);
  }
}

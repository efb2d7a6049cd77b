import { z } from "zod";
import type { DiscordMessage } from "../discord-shared/DiscordMessage.js";

/** Messages of one channel or thread as pulled so far, and the cursor for the next pull. */
export interface StoredContainer {
  /** Newest message id seen: the next pull asks for messages `after` it (or after the look-back window's start, whichever is older). */
  lastMessageId?: string;
  /** Oldest first. */
  messages: DiscordMessage[];
}

export interface StoredChannel extends StoredContainer {
  guildId: string;
  name: string;
  /** Discord channel type: 0 text, 5 announcement, 15 forum, 16 media. */
  type: number;
  /** A forum's tags, id -> name, to name its posts' tags. */
  availableTags: Record<string, string>;
}

export interface StoredThread extends StoredContainer {
  parentId: string;
  name: string;
  /** Tag ids applied to a forum post. */
  appliedTags: string[];
}

export interface StoredGuild {
  /** Role id -> name, to decode `<@&id>` and match `supportRoles` by name. */
  roles: Record<string, string>;
  /** Channel id -> name, to decode `<#id>`. */
  channels: Record<string, string>;
  /** Members looked up for `supportRoles`: their role ids and server nickname. */
  members: Record<string, { roles: string[]; nick?: string }>;
}

/** What the discord-api connector saves between pulls (JSON). */
export interface DiscordApiState {
  version: 1;
  guilds: Record<string, StoredGuild>;
  /** Configured channels, by id. */
  channels: Record<string, StoredChannel>;
  /** Threads and forum posts of those channels, by id. */
  threads: Record<string, StoredThread>;
}

export function emptyState(): DiscordApiState {
  return { version: 1, guilds: {}, channels: {}, threads: {} };
}

const message: z.ZodType<DiscordMessage> = z.lazy(() =>
  z.object({
    id: z.string(),
    kind: z.enum(["message", "threadStarter", "system"]),
    timestamp: z.string(),
    editedTimestamp: z.string().optional(),
    content: z.string(),
    author: z.object({
      id: z.string(),
      name: z.string(),
      displayName: z.string(),
      isBot: z.boolean(),
      roles: z.array(z.object({ id: z.string(), name: z.string().optional() })),
    }),
    reference: z.object({ messageId: z.string(), channelId: z.string().optional() }).optional(),
    reactions: z.array(z.string()),
    attachments: z.array(z.string()),
    mentions: z.array(z.object({ id: z.string(), name: z.string() })),
    starter: message.optional(),
    line: z.number().optional(),
  }),
);
const container = { lastMessageId: z.string().optional(), messages: z.array(message) };

const stateSchema = z.object({
  version: z.literal(1),
  guilds: z.record(
    z.object({
      roles: z.record(z.string()),
      channels: z.record(z.string()),
      members: z.record(z.object({ roles: z.array(z.string()), nick: z.string().optional() })),
    }),
  ),
  channels: z.record(z.object({ ...container, guildId: z.string(), name: z.string(), type: z.number(), availableTags: z.record(z.string()) })),
  threads: z.record(z.object({ ...container, parentId: z.string(), name: z.string(), appliedTags: z.array(z.string()) })),
});

/** The saved state, or a fresh one (and why) when there is none or it is not ours. */
export function readState(saved: unknown): { state: DiscordApiState; problem?: string } {
  if (saved === undefined || saved === null) return { state: emptyState() };
  const parsed = stateSchema.safeParse(saved);
  if (parsed.success) return { state: parsed.data as DiscordApiState };
  const first = parsed.error.issues[0];
  return { state: emptyState(), problem: `${first?.path.join(".") || "state"}: ${first?.message ?? "invalid"}` };
}

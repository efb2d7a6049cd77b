import { ChannelType, type APIChannel, type APIThreadChannel } from "discord.js";
import { z } from "zod";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import type { DiscordMessage } from "../discord-shared/DiscordMessage.js";
import { discordSupportOptionsShape, type DiscordSupportOptions } from "../discord-shared/toDiscordChatThread.js";
import { type DiscordApiState, emptyState, readState, type StoredGuild, type StoredThread } from "./DiscordApiState.js";
import { DiscordAccessError, DiscordRestClient } from "./DiscordRestClient.js";
import { docsOfState } from "./docsOfState.js";
import { syncMessages } from "./syncMessages.js";

export type { DiscordApiState } from "./DiscordApiState.js";
export { DiscordAccessError, DiscordRestClient, type DiscordRestClientOptions } from "./DiscordRestClient.js";

export interface DiscordApiConnectorOptions extends DiscordSupportOptions {
  /**
   * Channel ids to pull. A text or announcement channel gives its reply chains and its
   * public threads; a forum or media channel gives its posts.
   */
  channels: string[];
  /** Bot token. Never logged, never in errors or the index. */
  token: string;
  /** Named in auth errors instead of the token, e.g. "DISCORD_TOKEN". Defaults to "the token option". */
  tokenSource?: string;
  /** REST base URL without the version, e.g. a local fake's. Defaults to Discord's own API. */
  apiUrl?: string;
  /**
   * Messages posted in the last this-many days are read again on every pull, so edits and
   * deletions in recent conversations show. Older ones are kept as first read. Defaults to 14.
   */
  lookbackDays?: number;
  /** The clock, for tests. Defaults to Date.now. */
  now?: () => number;
}

type StoredThreads = Record<string, StoredThread>;

/** Channel types that hold messages of their own (forum and media channels hold only posts). */
const MESSAGE_CHANNELS = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);
const THREAD_PARENTS = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia]);
const DAY_MS = 86_400_000;

/**
 * Past Discord conversations pulled live through the REST API (discord.js `REST`):
 * reply chains of text channels, their public threads, and the posts of forum
 * channels. Incremental: with the state saved by the previous pull it reads only new
 * messages and the look-back window, and still yields every conversation it knows,
 * so a deleted thread or message disappears from the index at the next sync.
 */
export class DiscordApiConnector implements Connector {
  readonly name = "discord-api";
  /** The channel ids, sorted and joined with commas. */
  readonly origin: string;
  private readonly options: DiscordApiConnectorOptions;

  constructor(options: DiscordApiConnectorOptions) {
    if (typeof options.token !== "string" || options.token.trim() === "") {
      throw new LlamadeskError("SOURCE_CONFIG_INVALID", `discord-api: no bot token: set ${options.tokenSource ?? "the token option"} to the bot's token.`);
    }
    const { token: _token, tokenSource: _source, now: _now, ...checked } = options;
    const parsed = optionsSchema.omit({ tokenEnv: true }).safeParse(checked);
    if (!parsed.success) {
      throw new LlamadeskError("INVALID_OPTION", `discord-api: ${parsed.error.issues.map((i) => `\`${i.path.join(".")}\` ${i.message}`).join("; ")}. Example: { channels: ["123456789012345678"], tokenEnv: "DISCORD_TOKEN" }`);
    }
    this.options = { ...options, channels: [...new Set(options.channels)] };
    this.origin = [...this.options.channels].sort().join(",");
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = (issue: SourceIssue): void => options.onIssue?.(issue);
    const { state: previous, problem } = readState(options.state);
    if (problem !== undefined) report({ file: "discord-api state", message: `the saved state is not usable (${problem}), so every channel is read in full again` });
    const client = new DiscordRestClient({
      token: this.options.token,
      ...(this.options.apiUrl ? { apiUrl: this.options.apiUrl } : {}),
      ...(this.options.tokenSource ? { tokenSource: this.options.tokenSource } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      const next = await this.refresh(client, previous, report);
      for (const doc of docsOfState(next, this.options.channels, this.options)) {
        options.signal?.throwIfAborted();
        yield doc;
      }
      options.saveState?.(next);
    } finally {
      client.dispose();
    }
  }

  /** Reads what changed since `previous` and returns the new state. */
  private async refresh(client: DiscordRestClient, previous: DiscordApiState, report: (issue: SourceIssue) => void): Promise<DiscordApiState> {
    const next = emptyState();
    const windowStart = (this.options.now ?? Date.now)() - (this.options.lookbackDays ?? 14) * DAY_MS;
    const activeThreads = new Map<string, Promise<APIThreadChannel[]>>();
    const fetched: DiscordMessage[] = [];
    const fetchedIn = new Map<string, DiscordMessage[]>();

    for (const channelId of this.options.channels) {
      try {
        const read = await this.pullChannel(client, channelId, previous, next, windowStart, activeThreads, report);
        fetched.push(...read.fetched);
        if (read.guildId !== undefined) fetchedIn.set(read.guildId, [...(fetchedIn.get(read.guildId) ?? []), ...read.fetched]);
      } catch (error) {
        if (!(error instanceof DiscordAccessError)) throw error;
        report({ file: `discord channel ${channelId}`, message: `cannot read this channel: ${error.message}. Check the id and give the bot View Channel and Read Message History there; what was pulled from it before is kept.` });
        keepChannel(previous, next, channelId);
      }
    }

    if ((this.options.supportRoles ?? []).length > 0) {
      for (const [guildId, messages] of fetchedIn) await this.lookUpMembers(client, next.guilds[guildId]!, guildId, messages);
    }
    const human = fetched.filter((m) => m.kind === "message" && !m.author.isBot);
    if (human.length >= 3 && human.every((m) => m.content === "" && m.attachments.length === 0)) {
      report({
        file: "discord-api",
        message: `Discord sent ${human.length} messages with no content: the bot lacks the Message Content intent. Turn it on under your app > Bot > Privileged Gateway Intents > Message Content Intent, then sync again.`,
      });
    }
    return next;
  }

  /** One configured channel: its own messages and its threads or posts, into `next`. */
  private async pullChannel(
    client: DiscordRestClient,
    channelId: string,
    previous: DiscordApiState,
    next: DiscordApiState,
    windowStart: number,
    activeThreads: Map<string, Promise<APIThreadChannel[]>>,
    report: (issue: SourceIssue) => void,
  ): Promise<{ guildId?: string; fetched: DiscordMessage[] }> {
    const channel: APIChannel = await client.channel(channelId);
    if (!("guild_id" in channel) || !channel.guild_id || !THREAD_PARENTS.has(channel.type)) {
      report({ file: `discord channel ${channelId}`, message: `channel type ${channel.type} is not a server text, announcement, forum or media channel, skipped` });
      return { fetched: [] };
    }
    const guildId = channel.guild_id;
    if (next.guilds[guildId] === undefined) next.guilds[guildId] = await this.guildNames(client, guildId, previous.guilds[guildId]);
    if (!activeThreads.has(guildId)) activeThreads.set(guildId, client.activeThreads(guildId));

    const own = MESSAGE_CHANNELS.has(channel.type)
      ? await syncMessages(client, channelId, previous.channels[channelId], "last_message_id" in channel ? channel.last_message_id : undefined, windowStart)
      : { messages: [], fetched: [] };
    const { fetched, ...stored } = own;
    const availableTags = "available_tags" in channel && channel.available_tags ? Object.fromEntries(channel.available_tags.map((t) => [t.id, t.name])) : {};
    const threads: StoredThreads = {};
    const listed = [...(await activeThreads.get(guildId)!).filter((t) => t.parent_id === channelId), ...(await client.archivedPublicThreads(channelId))];
    for (const thread of new Map(listed.map((t) => [t.id, t])).values()) {
      if (thread.type === ChannelType.PrivateThread) continue;
      try {
        const { fetched: threadFetched, ...threadStored } = await syncMessages(client, thread.id, previous.threads[thread.id], thread.last_message_id, windowStart);
        threads[thread.id] = { ...threadStored, parentId: channelId, name: thread.name, appliedTags: thread.applied_tags ?? [] };
        fetched.push(...threadFetched);
      } catch (error) {
        // Deleted between the listing and the read: gone. Refused: keep what was read before.
        if (!(error instanceof DiscordAccessError)) throw error;
        const saved = previous.threads[thread.id];
        if (error.status !== 404 && saved !== undefined) threads[thread.id] = saved;
        if (error.status !== 404) report({ file: `discord thread ${thread.id}`, message: `cannot read this thread (${error.message}); what was pulled from it before is kept.` });
      }
    }
    next.channels[channelId] = { ...stored, guildId, name: channel.name ?? channelId, type: channel.type, availableTags };
    Object.assign(next.threads, threads);
    return { guildId, fetched };
  }

  /** Role and channel names of a guild, refreshed; the saved ones (and saved members) when Discord refuses. */
  private async guildNames(client: DiscordRestClient, guildId: string, saved: StoredGuild | undefined): Promise<StoredGuild> {
    const names = async <T extends { id: string; name?: string | null }>(read: () => Promise<T[]>, fallback: Record<string, string>) => {
      try {
        return Object.fromEntries((await read()).map((item) => [item.id, item.name ?? item.id]));
      } catch (error) {
        if (error instanceof DiscordAccessError) return fallback;
        throw error;
      }
    };
    return {
      roles: await names(() => client.guildRoles(guildId), saved?.roles ?? {}),
      channels: await names(() => client.guildChannels(guildId), saved?.channels ?? {}),
      members: { ...(saved?.members ?? {}) },
    };
  }

  /** Roles and nicknames of the authors of newly read messages, for supportRoles. */
  private async lookUpMembers(client: DiscordRestClient, guild: StoredGuild, guildId: string, messages: DiscordMessage[]): Promise<void> {
    const authors = new Set(messages.filter((m) => !m.author.isBot).map((m) => m.author.id));
    for (const userId of authors) {
      try {
        const member = await client.member(guildId, userId);
        guild.members[userId] = { roles: member.roles, ...(member.nick ? { nick: member.nick } : {}) };
      } catch (error) {
        // A user who left the server has no member: they keep what was saved, or no roles.
        if (!(error instanceof DiscordAccessError)) throw error;
      }
    }
  }
}

/** A channel Discord refused this time keeps what earlier pulls read from it, threads included. */
function keepChannel(previous: DiscordApiState, next: DiscordApiState, channelId: string): void {
  const channel = previous.channels[channelId];
  if (channel === undefined) return;
  next.channels[channelId] = channel;
  if (previous.guilds[channel.guildId] && !next.guilds[channel.guildId]) next.guilds[channel.guildId] = previous.guilds[channel.guildId]!;
  for (const [id, thread] of Object.entries(previous.threads)) if (thread.parentId === channelId) next.threads[id] = thread;
}

const snowflake = z.string().regex(/^\d{17,20}$/, "must be a Discord channel id (17-20 digits: right-click the channel > Copy Channel ID)");
const optionsSchema = z
  .object({
    channels: z.array(snowflake).min(1),
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
    apiUrl: z.string().url().optional(),
    lookbackDays: z.number().min(0).optional(),
    ...discordSupportOptionsShape,
  })
  .strict();

type DiscordApiDefinitionOptions = z.infer<typeof optionsSchema>;

/**
 * `{ "connector": "discord-api", "channels": ["123456789012345678"], "tokenEnv": "DISCORD_TOKEN" }`
 * in the config file's `sources`: the token is read from the named variable (default DISCORD_TOKEN).
 */
export const definition: ConnectorDefinition<DiscordApiDefinitionOptions> = {
  name: "discord-api",
  options: optionsSchema,
  create: ({ tokenEnv = "DISCORD_TOKEN", ...options }, context) => {
    const token = context.env(tokenEnv);
    if (token === undefined) {
      throw new LlamadeskError("SOURCE_CONFIG_INVALID", `discord-api: the environment variable ${tokenEnv} is not set. Set it to the bot's token (Developer Portal > your app > Bot > Reset Token), or name another variable with "tokenEnv".`);
    }
    return new DiscordApiConnector({ ...options, token, tokenSource: `the environment variable ${tokenEnv}` });
  },
};

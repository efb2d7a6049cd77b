import { ChannelType, PermissionFlagsBits, type Channel as DiscordJsChannel, type Client, type GuildMember } from "discord.js";
import type { Bot } from "../../bot.js";
import type { DiscordConfig } from "./discordConfig.js";

/** What the Discord handlers share: the bot, the connected client, the settings, and a way to run answers that `stop()` can cancel. */
export interface DiscordContext {
  bot: Bot;
  client: Client<true>;
  config: DiscordConfig;
  log: (line: string) => void;
  /** Runs work that `stop()` cancels (through `signal`) and waits for; nothing starts once stopping. */
  track<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined>;
}

/**
 * True the first time a gateway event (`message:<id>`, `interaction:<id>`) is seen: Discord replays events after
 * a resume or reconnect with the same ids, also to a restarted process.
 */
export function firstSighting(ctx: DiscordContext, eventId: string): Promise<boolean> {
  return ctx.bot.firstSighting("discord", eventId);
}

/** The conversation of a thread, or of a channel. */
export function conversationIdOf(channelId: string): string {
  return `discord:${channelId}`;
}

/** Whether the bot serves this channel: every channel when none are configured, else the listed ones and their threads. */
export function isServed(channel: DiscordJsChannel, config: DiscordConfig): boolean {
  if (!config.channels) return true;
  return config.channels.includes(channel.id) || (channel.isThread() && channel.parentId !== null && config.channels.includes(channel.parentId));
}

/** Whether a channel is a post in a forum the bot was told to serve (forums are auto-answered only when listed). */
export function isServedForumPost(channel: DiscordJsChannel, config: DiscordConfig): boolean {
  return channel.isThread() && channel.parent?.type === ChannelType.GuildForum && config.channels?.includes(channel.parentId!) === true;
}

/** The support team: members with the support role, or (with no role configured) those who may manage threads. */
export function isSupportMember(member: GuildMember | null | undefined, config: DiscordConfig): boolean {
  if (!member) return false;
  if (config.supportRoleId) return member.roles.cache.has(config.supportRoleId);
  return member.permissions.has(PermissionFlagsBits.ManageThreads);
}

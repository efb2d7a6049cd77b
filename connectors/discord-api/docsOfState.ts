import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import type { SourceDoc } from "../../src/types.js";
import { emptyDiscordNames, learnNames, type DiscordMessage, type DiscordNames } from "../discord-shared/DiscordMessage.js";
import { groupReplyChains } from "../discord-shared/groupReplyChains.js";
import { compareSnowflakes } from "../discord-shared/snowflake.js";
import { threadMessages } from "../discord-shared/threadMessages.js";
import { type DiscordConversation, type DiscordSupportOptions, toDiscordChatThread } from "../discord-shared/toDiscordChatThread.js";
import type { DiscordApiState, StoredGuild } from "./DiscordApiState.js";

/**
 * Every conversation the state knows, as docs, channel by channel in the order given:
 * its reply chains, then its threads or forum posts. Authors get the roles and
 * nicknames of their member look-ups; markup is decoded with the guild's names.
 */
export function* docsOfState(state: DiscordApiState, channels: readonly string[], options: DiscordSupportOptions): Iterable<SourceDoc> {
  for (const channelId of channels) {
    const channel = state.channels[channelId];
    if (channel === undefined) continue;
    const guild = state.guilds[channel.guildId];
    const threads = Object.entries(state.threads)
      .filter(([, t]) => t.parentId === channelId)
      .sort(([a], [b]) => compareSnowflakes(a, b));
    const withRoles = (m: DiscordMessage): DiscordMessage => withMember(m, guild);
    const names = namesOf(guild, [...channel.messages, ...threads.flatMap(([, t]) => t.messages)].map(withRoles), threads);
    const base = { guildId: channel.guildId, channelName: channel.name };
    const conversations: DiscordConversation[] = groupReplyChains(channel.messages.map(withRoles)).map((chain) => ({ ...base, channelId, messages: chain }));
    for (const [threadId, thread] of threads) {
      const tags = thread.appliedTags.map((id) => channel.availableTags[id]).filter((name): name is string => name !== undefined);
      conversations.push({ ...base, channelId: threadId, thread: { title: thread.name, tags }, messages: threadMessages(thread.messages.map(withRoles)) });
    }
    for (const conversation of conversations) {
      const thread = toDiscordChatThread(conversation, names, options);
      if (thread !== undefined) yield chatThreadToSourceDoc(thread);
    }
  }
}

function withMember(message: DiscordMessage, guild: StoredGuild | undefined): DiscordMessage {
  const member = guild?.members[message.author.id];
  const starter = message.starter ? { starter: withMember(message.starter, guild) } : {};
  if (member === undefined) return { ...message, ...starter };
  const roles = member.roles.map((id) => ({ id, ...(guild?.roles[id] !== undefined ? { name: guild.roles[id] } : {}) }));
  return { ...message, ...starter, author: { ...message.author, roles, ...(member.nick ? { displayName: member.nick } : {}) } };
}

function namesOf(guild: StoredGuild | undefined, messages: DiscordMessage[], threads: [string, { name: string }][]): DiscordNames {
  const names = emptyDiscordNames();
  for (const [id, name] of Object.entries(guild?.roles ?? {})) names.roles.set(id, name);
  for (const [id, name] of Object.entries(guild?.channels ?? {})) names.channels.set(id, name);
  for (const [id, thread] of threads) names.channels.set(id, thread.name);
  learnNames(names, messages.flatMap((m) => (m.starter ? [m, m.starter] : [m])));
  return names;
}

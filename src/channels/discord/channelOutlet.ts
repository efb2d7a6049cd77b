import type { GuildTextBasedChannel } from "discord.js";
import type { AnswerOutlet } from "./renderToDiscord.js";

/** Answers posted as the bot's own messages in a thread or channel. Nothing in them pings anyone. */
export function channelOutlet(channel: GuildTextBasedChannel): AnswerOutlet {
  return {
    post: async (message) => (await channel.send({ ...message, allowedMentions: { parse: [] } })).id,
    edit: async (id, message) => void (await channel.messages.edit(id, { ...message, allowedMentions: { parse: [] } })),
    remove: async (id) => void (await channel.messages.delete(id)),
  };
}

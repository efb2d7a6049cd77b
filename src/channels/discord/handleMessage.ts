import { ChannelType, type Message } from "discord.js";
import { answerInThread } from "./answerConversation.js";
import { conversationIdOf, firstSighting, isServed, isServedForumPost, isSupportMember, type DiscordContext } from "./DiscordContext.js";

/**
 * A message in a guild channel or thread. A mention in a text channel opens a thread on the message and
 * answers there; a mention in a thread answers in place; other messages in a thread the bot is part of
 * (one it opened, a post in a served forum, or one where it answered before) are follow-ups of the same
 * conversation. Messages from bots (itself included), in channels not served, or from the support team
 * without a mention are ignored.
 */
export async function handleMessage(ctx: DiscordContext, message: Message): Promise<void> {
  if (message.author.bot || message.webhookId || message.system || !message.inGuild()) return;
  const channel = message.channel;
  if (!isServed(channel, ctx.config)) return;
  const botId = ctx.client.user.id;
  const mentioned = message.mentions.users.has(botId);
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, "g"), "").trim();

  if (!channel.isThread()) {
    if (!mentioned || (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement)) return;
    if (!(await firstSighting(ctx, `message:${message.id}`))) return;
    if (text === "") {
      await message.reply({ content: "Hi! Ask me a question in the same message as the mention, and I'll answer in a thread.", allowedMentions: { parse: [] } });
      return;
    }
    const thread = await message.startThread({ name: threadName(text), autoArchiveDuration: ctx.config.threadArchiveMinutes });
    await answerInThread(ctx, thread, text, message.author.id);
    return;
  }
  // The first message of a forum post is answered when the post is created (see handleForumPost).
  if (message.id === channel.id && isServedForumPost(channel, ctx.config)) return;
  if (!mentioned) {
    if (text === "" || isSupportMember(message.member, ctx.config)) return;
    if (!(await isBotThread(ctx, channel.id, channel.ownerId, isServedForumPost(channel, ctx.config)))) return;
  } else if (text === "") return;
  if (!(await firstSighting(ctx, `message:${message.id}`))) return;
  await answerInThread(ctx, channel, text, message.author.id);
}

/** A thread the bot opened, a post in a served forum, or one where it has answered before. */
async function isBotThread(ctx: DiscordContext, threadId: string, ownerId: string | null, servedForumPost: boolean): Promise<boolean> {
  if (ownerId === ctx.client.user.id || servedForumPost) return true;
  return (await ctx.bot.history(conversationIdOf(threadId))).length > 0;
}

/** A thread's name from the question: its first line, at most 100 characters (Discord's limit), cut at a word. */
export function threadName(text: string): string {
  const line = text.split("\n")[0]!.replace(/\s+/g, " ").trim();
  if (line.length <= 100) return line;
  const cut = line.lastIndexOf(" ", 98);
  return `${line.slice(0, cut > 40 ? cut : 98)}…`;
}

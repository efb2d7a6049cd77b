import type { MessageReaction, PartialMessageReaction, PartialUser, User } from "discord.js";
import { conversationIdOf, isServed, isSupportMember, type DiscordContext } from "./DiscordContext.js";
import { isHandedOff, resolveConversation } from "./resolveConversation.js";

/** ✅ from a support member on any message of a handed-off thread marks it resolved, like the "Mark resolved" button. */
export async function handleReaction(ctx: DiscordContext, reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): Promise<void> {
  if (reaction.emoji.name !== "✅" || user.bot) return;
  const channel = reaction.message.channel;
  if (!channel.isThread() || !isServed(channel, ctx.config)) return;
  const member = channel.guild.members.cache.get(user.id) ?? (await channel.guild.members.fetch(user.id));
  if (!isSupportMember(member, ctx.config)) return;
  const conversationId = conversationIdOf(channel.id);
  if (!(await isHandedOff(ctx, conversationId))) return;
  if (await resolveConversation(ctx, channel, conversationId)) {
    await channel.send({ content: `✅ Resolved by <@${user.id}>. I'll answer new questions here again.`, allowedMentions: { parse: [] } });
  }
}

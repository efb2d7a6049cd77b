import type { GuildTextBasedChannel } from "discord.js";
import { isLlamadeskError } from "../../errors.js";
import type { DiscordContext } from "./DiscordContext.js";
import { setPostStatus } from "./forumTags.js";

/**
 * A support member marked a handed-off conversation resolved: the bot answers there again, and a forum
 * post loses its "needs human" tag. Resolves false when there is no such conversation.
 */
export async function resolveConversation(ctx: DiscordContext, channel: GuildTextBasedChannel, conversationId: string): Promise<boolean> {
  try {
    await ctx.bot.resolve(conversationId);
  } catch (error) {
    if (isLlamadeskError(error, "CONVERSATION_NOT_FOUND")) return false;
    throw error;
  }
  await setPostStatus(channel, "none", ctx.config);
  return true;
}

/** Whether the bot handed this conversation to a human and has not answered since (its last answer turn is the handoff). */
export async function isHandedOff(ctx: DiscordContext, conversationId: string): Promise<boolean> {
  const turns = await ctx.bot.history(conversationId);
  const lastAnswer = turns.filter((t) => t.role === "assistant").at(-1);
  return lastAnswer?.outcome === "handoff";
}

import { MessageFlags, type ButtonInteraction } from "discord.js";
import { isLlamadeskError } from "../../errors.js";
import { answerConversation } from "./answerConversation.js";
import { channelOutlet } from "./channelOutlet.js";
import { parseCustomId } from "./customIds.js";
import { isSupportMember, type DiscordContext } from "./DiscordContext.js";
import { resolveConversation } from "./resolveConversation.js";

/** 👍/👎 under an answer, "Talk to a human", and "Mark resolved" under a handoff. Other buttons are not ours. */
export async function handleButton(ctx: DiscordContext, interaction: ButtonInteraction): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  const channel = interaction.channel;
  if (!parsed || !interaction.inCachedGuild() || !channel || channel.isDMBased()) return;
  const ephemeral = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });

  if (parsed.action === "up" || parsed.action === "down") {
    try {
      await ctx.bot.feedback({ turnId: parsed.target, userId: interaction.user.id, vote: parsed.action });
    } catch (error) {
      if (isLlamadeskError(error, "TURN_NOT_FOUND")) return void (await ephemeral("That answer is no longer stored, so the vote was not counted."));
      throw error;
    }
    await ephemeral(parsed.action === "up" ? "Thanks! Glad it helped. 👍" : "Thanks for telling us. 👎 If you still need help, press **Talk to a human**.");
    return;
  }

  if (parsed.action === "human") {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // "Talk to a human" goes through the bot like the typed request, so the conversation is handed off and stored the same way.
    // The handoff message is for everyone there: posted by the bot, not as the clicker's private reply.
    const view = await answerConversation(ctx, { conversationId: parsed.target, text: "Talk to a human", userId: interaction.user.id, outlet: channelOutlet(channel), channel });
    const note = view?.state === "quiet" ? "The team has been asked already; they'll reply here." : view?.handoff ? "Done: the team has been asked to reply here." : "Sorry, I could not reach the team. Please try again.";
    await interaction.editReply({ content: note });
    return;
  }

  if (!isSupportMember(interaction.member, ctx.config)) {
    await ephemeral(ctx.config.supportRoleId ? `Only members with <@&${ctx.config.supportRoleId}> can mark this resolved.` : "Only members who can manage threads can mark this resolved.");
    return;
  }
  const resolved = await resolveConversation(ctx, channel, parsed.target);
  await interaction.update({
    content: `${interaction.message.content}\n\n✅ ${resolved ? "Resolved" : "Nothing to resolve"} by <@${interaction.user.id}>. I'll answer new questions here again.`,
    components: [],
    allowedMentions: { parse: [] },
  });
}

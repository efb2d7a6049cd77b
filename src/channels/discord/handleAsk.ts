import { MessageFlags, type ChatInputCommandInteraction } from "discord.js";
import { answerConversation } from "./answerConversation.js";
import { conversationIdOf, isServed, type DiscordContext } from "./DiscordContext.js";
import { interactionOutlet } from "./interactionOutlet.js";

/**
 * `/ask question:<text>`: deferred at once (Discord wants a response within 3 s), then the reply is
 * edited as the answer streams. In a thread it continues the thread's conversation; in a channel each
 * member has their own conversation there, so one member's handoff does not silence the bot for others.
 */
export async function handleAsk(ctx: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const channel = interaction.channel;
  if (!interaction.inGuild() || !channel || channel.isDMBased()) {
    await interaction.reply({ content: "Ask me in a server channel.", flags: MessageFlags.Ephemeral });
    return;
  }
  if (!isServed(channel, ctx.config)) {
    const where = (ctx.config.channels ?? []).map((id) => `<#${id}>`).join(", ");
    await interaction.reply({ content: `I answer questions in ${where}.`, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  await interaction.deferReply();
  const question = interaction.options.getString("question", true).trim();
  const conversationId = channel.isThread() ? conversationIdOf(channel.id) : `${conversationIdOf(channel.id)}:${interaction.user.id}`;
  const view = await answerConversation(ctx, { conversationId, text: question, userId: interaction.user.id, outlet: interactionOutlet(interaction), channel });
  if (view?.state === "quiet") {
    // A person has this conversation: take the "thinking…" reply away and tell only the asker why.
    await interaction.deleteReply();
    await interaction.followUp({ content: "A team member is looking after this conversation; I'll stay out of it until they mark it resolved.", flags: MessageFlags.Ephemeral });
  }
}

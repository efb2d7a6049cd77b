import type { RepliableInteraction } from "discord.js";
import type { AnswerOutlet } from "./renderToDiscord.js";

/**
 * Answers posted as an interaction's (deferred) reply: the first message edits the reply, the rest are
 * follow-ups. Nothing in them pings anyone.
 */
export function interactionOutlet(interaction: RepliableInteraction): AnswerOutlet {
  let replied = false;
  return {
    async post(message) {
      const options = { ...message, allowedMentions: { parse: [] } };
      if (replied) return (await interaction.followUp(options)).id;
      const id = (await interaction.editReply(options)).id;
      replied = true;
      return id;
    },
    edit: async (id, message) => void (await interaction.editReply({ ...message, message: id, allowedMentions: { parse: [] } })),
    remove: (id) => interaction.deleteReply(id),
  };
}

import type { GuildTextBasedChannel } from "discord.js";
import { resolveButtons } from "./answerEmbed.js";
import type { DiscordContext } from "./DiscordContext.js";
import { setPostStatus } from "./forumTags.js";

/**
 * Tells the support team that a conversation is theirs now: a message in the thread that pings the
 * support role (if one is configured) with a "Mark resolved" button, and the "needs human" tag on a
 * forum post. The customer-facing text was in the answer already.
 */
export async function announceHandoff(ctx: DiscordContext, channel: GuildTextBasedChannel, conversationId: string, userId: string): Promise<void> {
  const role = ctx.config.supportRoleId;
  const who = role ? `<@&${role}>` : "Support team";
  await channel.send({
    content: `${who}: <@${userId}> would like to talk to a person. I'll stay quiet here until one of you presses **Mark resolved** (or reacts ✅).`,
    components: resolveButtons(conversationId),
    allowedMentions: { parse: [], roles: role ? [role] : [] },
  });
  await setPostStatus(channel, "needsHuman", ctx.config);
}

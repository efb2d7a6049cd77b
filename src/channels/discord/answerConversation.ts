import type { GuildTextBasedChannel } from "discord.js";
import type { AnswerView } from "../renderAnswer.js";
import { announceHandoff } from "./announceHandoff.js";
import { channelOutlet } from "./channelOutlet.js";
import { conversationIdOf, type DiscordContext } from "./DiscordContext.js";
import { setPostStatus } from "./forumTags.js";
import { keepTyping } from "./keepTyping.js";
import { renderToDiscord, type AnswerOutlet } from "./renderToDiscord.js";

export interface ConversationTurn {
  conversationId: string;
  /** The customer's message, mentions removed. */
  text: string;
  /** Who asked. */
  userId: string;
  /** Where the answer's messages go. */
  outlet: AnswerOutlet;
  /** The thread or channel of the conversation: the handoff ping goes there, and forum posts get tagged. */
  channel: GuildTextBasedChannel;
}

/**
 * One customer message through the bot and back: the answer streamed to `outlet`, then the support team
 * called if the conversation went to a human, and a forum post tagged by how it went. Resolves with the
 * final view, or undefined when the channel is stopping.
 */
export async function answerConversation(ctx: DiscordContext, turn: ConversationTurn): Promise<AnswerView | undefined> {
  return ctx.track(async (signal) => {
    const events = ctx.bot.ask({ conversationId: turn.conversationId, text: turn.text, user: turn.userId, channel: "discord", signal });
    const view = await renderToDiscord(events, {
      outlet: turn.outlet,
      conversationId: turn.conversationId,
      intervalMs: ctx.config.editIntervalMs,
      onRenderError: (error) => ctx.log(`could not update an answer in ${turn.conversationId}: ${describe(error)}`),
    });
    for (const notice of view.notices) ctx.log(`note: ${notice}`);
    if (view.state === "failed" && view.error?.code !== "ABORTED") ctx.log(`answer failed in ${turn.conversationId} [${view.error?.code}]: ${view.error?.message}`);
    if (view.handoff && view.handoff.reason !== "awaiting-human") await announceHandoff(ctx, turn.channel, turn.conversationId, turn.userId);
    else if (view.state === "answered") await setPostStatus(turn.channel, "answered", ctx.config);
    else if (view.state === "abstained") await setPostStatus(turn.channel, "needsHuman", ctx.config);
    return view;
  });
}

/** Answers a message in its thread (the thread's conversation), showing "typing…" until the first text. */
export async function answerInThread(ctx: DiscordContext, channel: GuildTextBasedChannel, text: string, userId: string): Promise<void> {
  const stopTyping = keepTyping(channel);
  const outlet = channelOutlet(channel);
  await answerConversation(ctx, {
    conversationId: conversationIdOf(channel.id),
    text,
    userId,
    channel,
    outlet: { ...outlet, post: (message) => (stopTyping(), outlet.post(message)) },
  }).finally(stopTyping);
}

/** An error's message, for the log (discord.js errors never carry the token). */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

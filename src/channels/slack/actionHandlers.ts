import type { App, BlockAction, ButtonAction, types } from "@slack/bolt";
import { isLlamadeskError } from "../../errors.js";
import type { Vote } from "../../store/ConversationStore.js";
import { ACTIONS } from "./answerBlocks.js";
import { conversationOfEscalation } from "./escalationPosts.js";
import { resolveConversation, resolvedBlocks } from "./handOff.js";
import { conversationOfMessage, replyTargetOf } from "./slackConversationId.js";
import { describeSlackError, type SlackRuntime } from "./SlackRuntime.js";

/** What the customer says when they press "Talk to a human": the bot's handoff detection takes it from there. */
export const HUMAN_REQUEST = "I'd like to talk to a human.";

/** Reactions that mark a handed-off conversation resolved. */
const RESOLVE_REACTIONS = new Set(["white_check_mark", "heavy_check_mark", "ballot_box_with_check"]);

/** 👍/👎 (one vote per user and answer), "Talk to a human", "Mark resolved", and ✅ reactions. */
export function registerActionHandlers(app: App, rt: SlackRuntime): void {
  for (const [actionId, vote] of [
    [ACTIONS.voteUp, "up"],
    [ACTIONS.voteDown, "down"],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body }) => {
      await ack();
      await recordVote(rt, body, action.value ?? "", vote);
    });
  }

  app.action<BlockAction<ButtonAction>>(ACTIONS.human, async ({ ack, action, body }) => {
    await ack();
    const conversationId = action.value ?? "";
    const target = replyTargetOf(conversationId);
    if (!target) return;
    const user = body.user.id;
    const ephemeral = body.container?.is_ephemeral === true;
    rt.answer({ conversationId, text: HUMAN_REQUEST, user, target: ephemeral ? { ...target, ephemeral: { user } } : target });
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.resolve, async ({ ack, action, body }) => {
    await ack();
    const conversationId = action.value ?? "";
    // resolveConversation updates the escalation post; the pressed message, if another, is updated here.
    const resolved = await resolveConversation(rt, conversationId, body.user.id);
    if (!resolved || !body.message || !body.channel || body.message.ts === resolved.escalationTs) return;
    const done = `:white_check_mark: Resolved by <@${body.user.id}>.`;
    const blocks = resolvedBlocks(done, (body.message.blocks ?? []) as types.KnownBlock[]);
    await rt.client.chat
      .update({ channel: body.channel.id, ts: body.message.ts, text: body.message.text ?? done, blocks })
      .catch((error) => rt.logger.warn(`Could not update the resolved message: ${describeSlackError(error)}`));
  });

  app.event("reaction_added", async ({ event }) => {
    if (!RESOLVE_REACTIONS.has(event.reaction) || event.user === rt.botUserId || event.item.type !== "message") return;
    const conversationId = await conversationOfReaction(rt, event.item.channel, event.item.ts);
    // Only conversations the bot took part in; a ✅ elsewhere means nothing to it.
    if (conversationId && (await rt.bot.history(conversationId)).length > 0) await resolveConversation(rt, conversationId, event.user);
  });
}

async function recordVote(rt: SlackRuntime, body: BlockAction, turnId: string, vote: Vote): Promise<void> {
  const user = body.user.id;
  let text: string;
  try {
    await rt.bot.feedback({ turnId, userId: user, vote });
    text = vote === "up" ? "Thanks! Glad that helped. :+1:" : "Thanks for telling me. :-1: Press *Talk to a human* if you still need help.";
  } catch (error) {
    if (!isLlamadeskError(error, "TURN_NOT_FOUND") && !isLlamadeskError(error, "INVALID_OPTION")) throw error;
    text = "I can't find that answer any more, so I couldn't record your vote.";
  }
  if (!body.channel) return;
  const threadTs = body.message?.thread_ts as string | undefined;
  await rt.client.chat.postEphemeral({ channel: body.channel.id, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
}

/** The conversation a reacted-to message belongs to: an escalation post's (its button says), or the thread it is in. */
async function conversationOfReaction(rt: SlackRuntime, channel: string, ts: string): Promise<string | undefined> {
  try {
    const replies = await rt.client.conversations.replies({ channel, ts, limit: 1, inclusive: true });
    const message = replies.messages?.find((m) => m.ts === ts) ?? replies.messages?.[0];
    if (channel === rt.settings.handoff.channel) {
      const escalated = conversationOfEscalation(message);
      if (escalated) return escalated;
    }
    return conversationOfMessage(channel, { ts, ...(message?.thread_ts ? { thread_ts: message.thread_ts } : {}) });
  } catch (error) {
    rt.logger.warn(`Cannot look up the thread of a ✅ in ${channel}: ${describeSlackError(error)}`);
    return undefined;
  }
}

import type { types } from "@slack/bolt";
import type { HandoffReason } from "../../BotEvent.js";
import { isLlamadeskError } from "../../errors.js";
import { ACTIONS, mentionOf } from "./answerBlocks.js";
import { escapeMrkdwn } from "./toMrkdwn.js";
import { findEscalationPost } from "./escalationPosts.js";
import { replyTargetOf } from "./slackConversationId.js";
import { describeSlackError, type AnswerRequest, type SlackRuntime } from "./SlackRuntime.js";

const WHY: Record<Exclude<HandoffReason, "awaiting-human">, string> = {
  "user-request": "asked for a human",
  "repeated-abstentions": "could not get an answer from the bot",
};

/**
 * Posts the handoff to the escalation channel: who, where, their last questions, a link to the thread and a
 * "Mark resolved" button, mentioning the configured user group. Without an escalation channel, the mention is
 * in the handoff message in the thread instead (see `replyWithAnswer`).
 */
export async function escalate(rt: SlackRuntime, request: AnswerRequest, reason: HandoffReason): Promise<void> {
  const { client, settings } = rt;
  const to = settings.handoff.channel;
  if (!to || reason === "awaiting-human") return;
  const { channel, threadTs } = request.target;
  const where = channel.startsWith("D") ? "a direct message" : `<#${channel}>`;
  const link = threadTs
    ? await client.chat
        .getPermalink({ channel, message_ts: threadTs })
        .then((r) => r.permalink)
        .catch(() => undefined)
    : undefined;
  const asked = (await rt.bot.history(request.conversationId))
    .filter((t) => t.role === "user")
    .slice(-3)
    .map((t) => `> ${escapeMrkdwn(t.text).replace(/\n/g, "\n> ")}`);
  const mention = settings.handoff.mention ? `${mentionOf(settings.handoff.mention)} ` : "";
  const headline = `${mention}:sos: <@${request.user}> ${WHY[reason]} in ${where}.`;
  const blocks: types.KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: headline } },
    ...(asked.length ? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: asked.join("\n").slice(0, 2900) } }] : []),
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: link ? `<${link}|Open the conversation>` : request.target.ephemeral ? "The answer was private: reply to them directly." : `Conversation ${request.conversationId}` }],
    },
    {
      type: "actions",
      block_id: "llamadesk_actions",
      elements: [{ type: "button", style: "primary", text: { type: "plain_text", text: "Mark resolved" }, action_id: ACTIONS.resolve, value: request.conversationId }],
    },
  ];
  // The post is the record: resolving (on any replica) finds it again by its button's value.
  await client.chat.postMessage({ channel: to, text: headline, blocks, unfurl_links: false });
}

/**
 * A human marked the conversation resolved (button or ✅): the bot answers in it again. The thread is told so
 * and the escalation post shows who resolved it. Everything it reads is shared (the conversation's status in
 * the store, the post in Slack), so it works on any replica. Resolves false when there is no such conversation,
 * else with the escalation post it updated, if any.
 */
export async function resolveConversation(rt: SlackRuntime, conversationId: string, by: string): Promise<false | { escalationTs?: string }> {
  const { client, logger } = rt;
  const wasHandedOff = (await rt.bot.status(conversationId)) === "handed-off";
  const escalation = wasHandedOff
    ? await findEscalationPost(rt, conversationId).catch((error) => void logger.warn(`Cannot read the escalation channel: ${describeSlackError(error)}`))
    : undefined;
  try {
    await rt.bot.resolve(conversationId);
  } catch (error) {
    if (isLlamadeskError(error, "CONVERSATION_NOT_FOUND")) return false;
    throw error;
  }
  const done = `:white_check_mark: Resolved by <@${by}>.`;
  const target = replyTargetOf(conversationId);
  const tasks: Promise<unknown>[] = [];
  if (escalation) tasks.push(client.chat.update({ channel: escalation.channel, ts: escalation.ts, text: done, blocks: resolvedBlocks(done, escalation.blocks) }));
  if (wasHandedOff && target && (target.threadTs || target.channel.startsWith("D"))) {
    tasks.push(
      client.chat.postMessage({ channel: target.channel, ...(target.threadTs ? { thread_ts: target.threadTs } : {}), text: `${done} I'll answer questions here again.` }),
    );
  }
  for (const result of await Promise.allSettled(tasks)) {
    if (result.status === "rejected") logger.warn(`After resolving ${conversationId}: ${describeSlackError(result.reason)}`);
  }
  return escalation ? { escalationTs: escalation.ts } : {};
}

/** The blocks of a message whose "Mark resolved" button was used: the button replaced by who resolved it. */
export function resolvedBlocks(done: string, blocks: types.KnownBlock[] = []): types.KnownBlock[] {
  return [...blocks.filter((b) => b.type !== "actions"), { type: "context", elements: [{ type: "mrkdwn", text: done }] }];
}

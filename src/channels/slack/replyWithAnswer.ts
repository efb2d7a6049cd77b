import { renderAnswer, type AnswerView } from "../renderAnswer.js";
import { answerBlocks, apologyMessage, type SlackMessage } from "./answerBlocks.js";
import { escalate } from "./handOff.js";
import { describeSlackError, type AnswerRequest, type SlackRuntime } from "./SlackRuntime.js";

/**
 * Answers one message the Slack way: a placeholder first, edited with `chat.update` as tokens arrive (throttled
 * by `renderAnswer`), then the final answer with its sources and buttons. Ephemeral answers are sent once,
 * finished. A handoff also goes to the escalation channel; in a handed-off conversation nothing is shown.
 * A failure leaves a short apology, never a hanging placeholder.
 */
export async function replyWithAnswer(rt: SlackRuntime, request: AnswerRequest, signal: AbortSignal): Promise<void> {
  const { client, settings, logger } = rt;
  const { conversationId, target } = request;
  const messageOf = (view: AnswerView): SlackMessage =>
    answerBlocks(view, {
      conversationId,
      maxSources: settings.maxSources,
      // Without an escalation channel, the handoff message in the thread is where the humans are called.
      ...(settings.handoff.mention && !settings.handoff.channel ? { mention: settings.handoff.mention } : {}),
    });
  const post = (message: SlackMessage) =>
    client.chat.postMessage({ channel: target.channel, ...(target.threadTs ? { thread_ts: target.threadTs } : {}), ...message, unfurl_links: false, unfurl_media: false });

  let placeholderTs: string | undefined;
  // A conversation a human has (on any replica: the store says) gets no placeholder: the bot stays quiet there.
  if (!target.ephemeral && (await rt.bot.status(conversationId)) !== "handed-off") {
    try {
      placeholderTs = (await post(messageOf(emptyView()))).ts;
    } catch (error) {
      // Cannot post here (not in the channel, archived...): nothing the customer could see, so do not answer.
      logger.error(`Cannot answer in ${target.channel}: ${describeSlackError(error)}. Invite the bot to the channel (/invite @<bot name>).`);
      return;
    }
  }

  const show = async (message: SlackMessage): Promise<void> => {
    if (target.ephemeral) await sendEphemeral(rt, request, message);
    else if (placeholderTs) await client.chat.update({ channel: target.channel, ts: placeholderTs, ...message });
    else await post(message);
  };

  try {
    const view = await renderAnswer(rt.bot.ask({ conversationId, text: request.text, user: request.user, channel: "slack", signal }), {
      intervalMs: settings.updateIntervalMs,
      render: async (view, final) => {
        if (!final) {
          if (placeholderTs) await show(messageOf(view));
          return;
        }
        for (const notice of view.notices) logger.info(notice);
        if (view.state === "failed") logger.error(`Answer in ${conversationId} failed [${view.error?.code}]: ${view.error?.message}`);
        if (view.state === "quiet") {
          if (placeholderTs) await client.chat.delete({ channel: target.channel, ts: placeholderTs });
          return;
        }
        await show(messageOf(view));
      },
      onRenderError: (error) => logger.warn(`Could not update the answer in ${conversationId}: ${describeSlackError(error)}`),
    });
    if (view.handoff && view.handoff.reason !== "awaiting-human") {
      await escalate(rt, request, view.handoff.reason).catch((error) =>
        logger.error(`Could not post the handoff of ${conversationId} to ${settings.handoff.channel}: ${describeSlackError(error)}`),
      );
    }
  } catch (error) {
    logger.error(`Could not show the answer in ${conversationId}: ${describeSlackError(error)}`);
    await apologise(rt, request, placeholderTs);
  }
}

/** Replaces the placeholder with an apology, or posts one in the thread when even that edit fails. */
async function apologise(rt: SlackRuntime, request: AnswerRequest, placeholderTs: string | undefined): Promise<void> {
  const { client, logger } = rt;
  const { target } = request;
  const apology = apologyMessage();
  try {
    if (target.ephemeral) await sendEphemeral(rt, request, apology);
    else if (placeholderTs) await client.chat.update({ channel: target.channel, ts: placeholderTs, ...apology });
    else throw new Error("no placeholder");
  } catch {
    if (target.ephemeral) return;
    await client.chat
      .postMessage({ channel: target.channel, ...(target.threadTs ? { thread_ts: target.threadTs } : {}), ...apology })
      .catch((error) => logger.error(`Could not post an apology in ${request.conversationId}: ${describeSlackError(error)}`));
  }
}

async function sendEphemeral(rt: SlackRuntime, request: AnswerRequest, message: SlackMessage): Promise<void> {
  const { target } = request;
  const user = target.ephemeral!.user;
  try {
    await rt.client.chat.postEphemeral({ channel: target.channel, user, ...(target.threadTs ? { thread_ts: target.threadTs } : {}), ...message });
  } catch (error) {
    // chat.postEphemeral needs the bot in the channel; a slash command's response URL does not.
    if (!target.ephemeral!.respond) throw error;
    await target.ephemeral!.respond({ response_type: "ephemeral", ...message });
  }
}

function emptyView(): AnswerView {
  return { state: "thinking", text: "", sources: [], citations: [], related: [], notices: [] };
}

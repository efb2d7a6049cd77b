import type { App } from "@slack/bolt";
import { fromSlackText } from "./fromSlackText.js";
import { slackConversationId } from "./slackConversationId.js";
import { escapeMrkdwn } from "./toMrkdwn.js";
import { channelModeOf, describeSlackError, type SlackRuntime } from "./SlackRuntime.js";

/**
 * The slash command (`/ask <question>`): acknowledged at once (Slack allows 3 s), answered in the background —
 * privately (`ephemeral`) or, with `commandReply: "public"`, under a message that shows the question, where
 * follow-ups continue the conversation.
 */
export function registerCommandHandler(app: App, rt: SlackRuntime): void {
  const { settings } = rt;
  app.command(settings.command, async ({ command, ack, respond }) => {
    const text = fromSlackText(command.text ?? "", rt.botUserId);
    if (text === "") {
      await ack({ response_type: "ephemeral", text: `Ask me a question, e.g. \`${settings.command} how do I reset my password?\`` });
      return;
    }
    if (channelModeOf(settings, command.channel_id) === "ignore") {
      await ack({ response_type: "ephemeral", text: "I don't answer questions in this channel. Try a direct message." });
      return;
    }
    await ack();
    const user = command.user_id;
    const channel = command.channel_id;
    if (settings.commandReply === "ephemeral") {
      const respondEphemeral = (message: { response_type: "ephemeral"; text: string; blocks: unknown[] }) => respond(message as Parameters<typeof respond>[0]);
      rt.answer({
        conversationId: slackConversationId(channel, `cmd-${command.trigger_id}`),
        text,
        user,
        target: { channel, ephemeral: { user, respond: respondEphemeral } },
      });
      return;
    }
    let questionTs: string | undefined;
    try {
      questionTs = (await rt.client.chat.postMessage({ channel, text: `<@${user}> asked: ${escapeMrkdwn(text)}`, unfurl_links: false })).ts;
    } catch (error) {
      rt.logger.warn(`${settings.command} in ${channel}: cannot post there (${describeSlackError(error)}).`);
      await respond({ response_type: "ephemeral", text: "I can't post in this channel: invite me with `/invite @` followed by my name, or ask me in a direct message." });
      return;
    }
    if (questionTs) rt.answer({ conversationId: slackConversationId(channel, questionTs), text, user, target: { channel, threadTs: questionTs } });
  });
}

import type { App } from "@slack/bolt";
import { fromSlackText, mentions } from "./fromSlackText.js";
import { conversationOfMessage, slackConversationId } from "./slackConversationId.js";
import { channelModeOf, firstSighting, type SlackRuntime } from "./SlackRuntime.js";

/** The fields of a message event the channel reads (Bolt types them as a union of subtypes). */
interface IncomingMessage {
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
}

/** Plain messages, and the subtypes that are still a person writing. */
const ANSWERABLE_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast"]);

const HELLO = "Hi! Ask me a question about the product and I'll answer from our help articles, with links.";

/**
 * Mentions in channels (answered in a thread under the message), direct messages (answered in the DM),
 * follow-ups in threads the bot has answered in (no mention needed), and — in channels set to `all` —
 * every new top-level message. Never messages from bots, the bot itself included.
 */
export function registerMessageHandlers(app: App, rt: SlackRuntime): void {
  app.event("app_mention", async ({ event }) => {
    // DMs arrive as message events; a mention there would be answered twice.
    if (event.channel.startsWith("D") || event.bot_id || !event.user || event.user === rt.botUserId) return;
    if (channelModeOf(rt.settings, event.channel) === "ignore") return;
    if (!(await firstSighting(rt, event.channel, event.ts))) return;
    const threadTs = event.thread_ts ?? event.ts;
    const text = fromSlackText(event.text, rt.botUserId);
    if (text === "") {
      await rt.client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, text: HELLO });
      return;
    }
    rt.answer({ conversationId: slackConversationId(event.channel, threadTs), text, user: event.user, target: { channel: event.channel, threadTs } });
  });

  app.message(async ({ message }) => {
    const m = message as IncomingMessage;
    if (!ANSWERABLE_SUBTYPES.has(m.subtype) || m.bot_id || !m.user || m.user === rt.botUserId) return;
    const text = fromSlackText(m.text ?? "", rt.botUserId);
    if (text === "") return;
    const dm = m.channel_type === "im" || m.channel.startsWith("D");
    if (!dm && (mentions(m.text ?? "", rt.botUserId) || channelModeOf(rt.settings, m.channel) === "ignore")) return; // mentions: app_mention answers
    const inThread = m.thread_ts !== undefined && m.thread_ts !== m.ts;
    const conversationId = conversationOfMessage(m.channel, m);
    if (!dm) {
      if (inThread) {
        // A follow-up: only in threads the bot is part of (it has the conversation's history).
        if ((await rt.bot.history(conversationId)).length === 0) return;
      } else if (channelModeOf(rt.settings, m.channel) !== "all") return;
    }
    if (!(await firstSighting(rt, m.channel, m.ts))) return;
    const threadTs = dm ? m.thread_ts : (m.thread_ts ?? m.ts);
    rt.answer({ conversationId, text, user: m.user, target: { channel: m.channel, ...(threadTs ? { threadTs } : {}) } });
  });
}

import { decodeMrkdwn, type MrkdwnNames } from "../../../connectors/slack-shared/decodeMrkdwn.js";

/** Names are not looked up for questions: a mention reads as its label, or its id. */
const NO_NAMES: MrkdwnNames = { user: () => undefined, channel: () => undefined };

/**
 * A Slack message's text as the customer meant it: the bot's own mention removed, other mentions,
 * channels and links as readable text (`<https://x|docs>` → `docs (https://x)`), entities unescaped.
 * Decoding is the Slack connectors' (`decodeMrkdwn`), so questions read like the indexed past chats.
 */
export function fromSlackText(text: string, botUserId?: string): string {
  const withoutBot = botUserId ? text.replace(new RegExp(`<@${botUserId}(?:\\|[^<>]*)?>`, "g"), "") : text;
  return decodeMrkdwn(withoutBot, NO_NAMES)
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

/** Whether the message text mentions the user (`<@U123>` or `<@U123|name>`). */
export function mentions(text: string, userId: string): boolean {
  return text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`);
}

import type { Logger } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Bot } from "../../bot.js";
import type { SlackChannelMode, SlackSettings } from "./slackConfig.js";
import type { SlackReplyTarget } from "./slackConversationId.js";

/** One message to answer. */
export interface AnswerRequest {
  conversationId: string;
  text: string;
  /** Slack user id of the asker. */
  user: string;
  target: SlackReplyTarget;
}

/** What the Slack handlers share while the channel runs. */
export interface SlackRuntime {
  bot: Bot;
  client: WebClient;
  settings: SlackSettings;
  logger: Logger;
  /** The bot's own user id (from auth.test). */
  botUserId: string;
  /** Answers in the background, tracked so `stop()` can wait for it or cancel it. */
  answer(request: AnswerRequest): void;
}

/**
 * True the first time a message (channel + ts) is seen, whichever event brought it: Slack retries events it
 * thinks were missed (`X-Slack-Retry-Num`, the same `event_id`), also to a restarted process.
 */
export function firstSighting(rt: SlackRuntime, channel: string, ts: string): Promise<boolean> {
  return rt.bot.firstSighting("slack", `${channel}:${ts}`);
}

export function channelModeOf(settings: SlackSettings, channel: string): SlackChannelMode {
  return settings.channels.get(channel) ?? settings.defaultMode;
}

/** A Web API error as one short line for logs: Slack's error code, never the request (which may carry tokens). */
export function describeSlackError(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string }; message?: string };
  if (e?.data?.error) return `Slack API error: ${e.data.error}`;
  return e?.message ?? String(error);
}

/**
 * Where the bot answers in Slack. A thread (`threadTs`) in a channel or DM; top level in a DM (no `threadTs`);
 * or, for ephemeral slash-command answers, privately to one user.
 */
export interface SlackReplyTarget {
  channel: string;
  threadTs?: string;
  ephemeral?: {
    user: string;
    /** Sends through the slash command's response URL: works where the bot is not a member. Defaults to chat.postEphemeral only. */
    respond?: (message: { response_type: "ephemeral"; text: string; blocks: unknown[] }) => Promise<unknown>;
  };
}

/** Top-level messages of a DM are one conversation. */
const DM = "dm";

/** `slack:<channel>:<thread_ts>`; `slack:<D…>:dm` for a DM's top level; `slack:<channel>:cmd-<id>` for an ephemeral slash-command answer. */
export function slackConversationId(channel: string, threadKey: string): string {
  return `slack:${channel}:${threadKey}`;
}

export function dmConversationId(channel: string): string {
  return slackConversationId(channel, DM);
}

/** The reply target a conversation id stands for; `undefined` for ids that are not the Slack channel's. */
export function replyTargetOf(conversationId: string): SlackReplyTarget | undefined {
  const match = /^slack:([A-Z0-9]+):(.+)$/.exec(conversationId);
  if (!match) return undefined;
  const [, channel, key] = match as unknown as [string, string, string];
  if (/^\d+\.\d+$/.test(key)) return { channel, threadTs: key };
  return { channel };
}

/** The conversation a message belongs to: its thread, the DM's top level, or a new thread under it. */
export function conversationOfMessage(channel: string, message: { ts: string; thread_ts?: string | undefined }): string {
  if (message.thread_ts) return slackConversationId(channel, message.thread_ts);
  return channel.startsWith("D") ? dmConversationId(channel) : slackConversationId(channel, message.ts);
}

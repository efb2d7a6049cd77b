import type { ChatThread } from "../../src/chat/ChatThread.js";
import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import { LlamadeskError } from "../../src/errors.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import { readSlackMessage } from "../slack-shared/readSlackMessage.js";
import { SlackThreadBuilder } from "../slack-shared/SlackThreadBuilder.js";
import { compareSlackTs, secondsToSlackTs } from "../slack-shared/slackTs.js";
import { readSlackApiState, type SlackApiState, type SlackChannelState } from "./SlackApiState.js";
import { slackErrorCode, SlackWebApi, type SlackWebApiOptions } from "./SlackWebApi.js";

const DAY = 86_400;
/** Channel problems that leave the other channels (and this channel's known threads) alone. */
const CHANNEL_ERRORS: Record<string, string> = {
  channel_not_found: "the channel does not exist or the token cannot see it: check the id (right-click the channel, Copy link) and, for a private channel, invite the app",
  not_in_channel: "the app is not in the channel: invite it with /invite @your-app",
};

export interface SlackApiConnectorOptions extends SlackWebApiOptions {
  /** Channel ids to pull, e.g. ["C0123ABCD"]. The app must be a member of private channels. */
  channels: string[];
  /** User ids or names (handle, real or display name) whose replies are support answers (role `agent`). Defaults to none. */
  supportUsers?: string[];
  /** Workspace URL for permalinks, e.g. "https://acme.slack.com". Defaults to the one auth.test reports. */
  baseUrl?: string;
  /**
   * Each pull fetches again the days before the newest message it has seen, to pick up
   * edits, deletions and new replies in recent threads. Defaults to 14.
   */
  lookbackDays?: number;
}

/**
 * Pulls chosen Slack channels live through the Web API (conversations.history + replies,
 * users.info). Incremental: the saved state keeps each channel's cursor and the threads
 * built so far; a pull fetches what is newer than the cursor plus the lookback window,
 * rebuilds those threads, drops the ones deleted at the source, and yields every known
 * thread (ingest deletes what a pull no longer yields).
 */
export class SlackApiConnector implements Connector {
  readonly name = "slack-api";
  readonly origin: string;
  private readonly lookback: number;

  constructor(private readonly options: SlackApiConnectorOptions) {
    if (!Array.isArray(options.channels) || options.channels.length === 0) {
      throw new LlamadeskError("INVALID_OPTION", 'slack-api: `channels` must list channel ids, e.g. { channels: ["C0123ABCD"] }');
    }
    if (!options.token) throw new LlamadeskError("INVALID_OPTION", "slack-api: `token` is empty: give the bot token (xoxb-...)");
    this.lookback = (options.lookbackDays ?? 14) * DAY;
    // One origin per workspace, whatever the channels: a channel dropped from the list has its threads deleted.
    this.origin = `slack-api:${options.baseUrl ?? options.apiUrl ?? "slack"}`;
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = (issue: SourceIssue) => options.onIssue?.(issue);
    let state = readSlackApiState(options.state);
    if (typeof state === "string") {
      report({ file: "slack-api state", message: `the saved sync state is unusable (${state}), so every channel is pulled again from the start` });
      state = { version: 1, channels: {} };
    }
    const api = new SlackWebApi(this.options);
    const workspaceUrl = this.options.baseUrl ?? (await api.workspaceUrl());
    const next: SlackApiState = { version: 1, channels: {} };
    for (const channel of this.options.channels) {
      options.signal?.throwIfAborted();
      const previous = state.channels[channel] ?? { threads: {} };
      let pulled: SlackChannelState;
      try {
        pulled = await this.pullChannel(api, channel, previous, { workspaceUrl, report, signal: options.signal });
      } catch (error) {
        const code = slackErrorCode(error);
        if (code === undefined || !(code in CHANNEL_ERRORS)) throw error;
        report({ file: `slack:${channel}`, message: `${CHANNEL_ERRORS[code]} (${code}); its ${Object.keys(previous.threads).length} known threads are kept` });
        pulled = previous;
      }
      next.channels[channel] = pulled;
      for (const thread of Object.values(pulled.threads).sort(byThreadTs)) yield chatThreadToSourceDoc(thread);
    }
    options.saveState?.(next);
  }

  private async pullChannel(
    api: SlackWebApi,
    channel: string,
    previous: SlackChannelState,
    context: { workspaceUrl: string | undefined; report: (issue: SourceIssue) => void; signal: AbortSignal | undefined },
  ): Promise<SlackChannelState> {
    const channelName = await api.channelName(channel);
    const builder = new SlackThreadBuilder({
      channelId: channel,
      ...(channelName ? { channelName } : {}),
      user: (id) => api.user(id),
      channel: (id) => (id === channel ? channelName : undefined),
      ...(this.options.supportUsers ? { supportUsers: this.options.supportUsers } : {}),
      ...(context.workspaceUrl ? { workspaceUrl: context.workspaceUrl } : {}),
    });
    const where = `slack:${channel}`;
    const oldest = previous.cursor === undefined ? undefined : secondsToSlackTs(Number(previous.cursor) - this.lookback);
    let cursor = previous.cursor;
    /** Threads whose top-level message history returned. */
    const listed = new Set<string>();
    /** Threads whose replies must be fetched. */
    const withReplies = new Set<string>();
    for await (const raw of api.history(channel, oldest)) {
      context.signal?.throwIfAborted();
      const record = readSlackMessage(raw);
      if (record.kind === "invalid") {
        context.report({ file: where, message: `message ${tsOf(raw)} skipped: ${record.reason}` });
        continue;
      }
      const at = record.kind === "message" || record.kind === "edit" ? record.message : record;
      if (cursor === undefined || compareSlackTs(at.ts, cursor) > 0) cursor = at.ts;
      listed.add(at.threadTs);
      if (at.replyCount > 0 || at.threadTs !== at.ts) withReplies.add(at.threadTs);
      else builder.add(record);
    }
    // Threads started before the window with replies inside it: history (by parent ts) does not list them.
    for (const [threadTs, thread] of Object.entries(previous.threads)) {
      if (oldest === undefined || compareSlackTs(threadTs, oldest) >= 0 || thread.messages.length < 2) continue;
      if (thread.updatedAt !== undefined && Date.parse(thread.updatedAt) / 1000 >= Number(oldest)) withReplies.add(threadTs);
    }
    for (const threadTs of withReplies) {
      context.signal?.throwIfAborted();
      // undefined: thread_not_found, the thread is gone (it then rebuilds to nothing below).
      const replies = await api.replies(channel, threadTs);
      for (const raw of replies ?? []) {
        const record = readSlackMessage(raw);
        if (record.kind === "invalid") context.report({ file: where, message: `message ${tsOf(raw)} in thread ${threadTs} skipped: ${record.reason}` });
        else builder.add(record);
      }
    }
    await api.loadUsers(builder.userIds());

    const threads = { ...previous.threads };
    // In the window, a thread history no longer lists was deleted at the source.
    for (const threadTs of Object.keys(threads)) {
      if (oldest === undefined || compareSlackTs(threadTs, oldest) >= 0) if (!listed.has(threadTs)) delete threads[threadTs];
    }
    const rebuilt = new Map(builder.threads().map((thread) => [thread.id.slice(`slack:${channel}:`.length), thread]));
    for (const threadTs of new Set([...listed, ...withReplies])) {
      const thread = rebuilt.get(threadTs);
      if (thread) threads[threadTs] = thread;
      else delete threads[threadTs]; // emptied, noise only, or deleted
    }
    return { ...(cursor !== undefined ? { cursor } : {}), threads };
  }
}

function byThreadTs(a: ChatThread, b: ChatThread): number {
  return compareSlackTs(a.id.slice(a.id.lastIndexOf(":") + 1), b.id.slice(b.id.lastIndexOf(":") + 1));
}

function tsOf(raw: unknown): string {
  const ts = typeof raw === "object" && raw !== null ? (raw as { ts?: unknown }).ts : undefined;
  return typeof ts === "string" ? ts : "(no ts)";
}

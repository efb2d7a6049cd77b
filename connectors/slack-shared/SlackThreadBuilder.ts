import type { ChatMessage, ChatRole, ChatThread } from "../../src/chat/ChatThread.js";
import type { SourceLocation } from "../../src/types.js";
import { decodeMrkdwn, mentionedUserIds, type MrkdwnNames } from "./decodeMrkdwn.js";
import type { SlackMessage, SlackRecord } from "./readSlackMessage.js";
import { compareSlackTs, slackPermalink, slackTsToIso } from "./slackTs.js";
import type { SlackUser } from "./SlackUser.js";

export interface SlackThreadBuilderOptions {
  channelId: string;
  /** Shown as "#name". Defaults to the channel id. */
  channelName?: string;
  /** Looks a user up by id (authors and mentions). */
  user: (id: string) => SlackUser | undefined;
  /** Looks a channel name up by id, for `<#C0123>` mentions. Defaults to none. */
  channel?: (id: string) => string | undefined;
  /** User ids or names (handle, real or display name; case-insensitive) whose messages are `agent` answers. Defaults to none. */
  supportUsers?: readonly string[];
  /** Workspace URL ("https://acme.slack.com") for permalinks. Defaults to none: threads carry only their location. */
  workspaceUrl?: string;
}

interface Entry {
  message: SlackMessage;
  location?: SourceLocation;
}

/**
 * Gathers Slack records in any order (day files, API pages) and rebuilds threads: a
 * parent with its replies, or a lone top-level message. Later records for the same
 * ts replace earlier ones; edits replace the text and mark the message edited;
 * deleted messages and tombstones never appear; a thread left with only bot
 * messages (alerts, deploy notices) is noise and is dropped.
 */
export class SlackThreadBuilder {
  private readonly entries = new Map<string, Entry>();
  private readonly deleted = new Set<string>();
  private readonly support: Set<string>;
  private readonly names: MrkdwnNames;

  constructor(private readonly options: SlackThreadBuilderOptions) {
    this.support = new Set((options.supportUsers ?? []).map((name) => name.trim().replace(/^@/, "").toLowerCase()));
    this.names = { user: (id) => options.user(id)?.name, channel: (id) => options.channel?.(id) };
  }

  add(record: SlackRecord, location?: SourceLocation): void {
    if (record.kind === "message" || record.kind === "edit") {
      const { message } = record;
      const previous = this.entries.get(message.ts);
      const edited = record.kind === "edit" ? { ...message, editedTs: message.editedTs ?? message.ts } : message;
      // An edit keeps where the message was first seen, and the thread it was in.
      const merged = record.kind === "edit" && previous ? { ...edited, threadTs: previous.message.threadTs } : edited;
      const where = previous?.location ?? location;
      this.entries.set(message.ts, { message: merged, ...(where ? { location: where } : {}) });
    } else if (record.kind === "delete") {
      this.deleted.add(record.ts);
    }
  }

  /** Users the threads mention or are written by, so a live connector can look them up before `threads()`. */
  userIds(): Set<string> {
    const ids = new Set<string>();
    for (const { message } of this.entries.values()) {
      if (message.userId) ids.add(message.userId);
      for (const id of mentionedUserIds(message.text)) ids.add(id);
    }
    return ids;
  }

  /** The threads, oldest first; each thread's messages in order. */
  threads(): ChatThread[] {
    const groups = new Map<string, Entry[]>();
    for (const entry of this.entries.values()) {
      if (this.deleted.has(entry.message.ts)) continue;
      const group = groups.get(entry.message.threadTs);
      if (group) group.push(entry);
      else groups.set(entry.message.threadTs, [entry]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => compareSlackTs(a, b))
      .map(([threadTs, group]) => this.toThread(threadTs, group.sort((a, b) => compareSlackTs(a.message.ts, b.message.ts))))
      .filter((thread): thread is ChatThread => thread !== undefined);
  }

  private toThread(threadTs: string, group: Entry[]): ChatThread | undefined {
    const messages = group.map((entry) => this.toChatMessage(entry.message)).filter((m): m is ChatMessage => m !== undefined);
    if (messages.every((message) => message.role === "bot")) return undefined;
    const { channelId, channelName, workspaceUrl } = this.options;
    const parent = group.find((entry) => entry.message.ts === threadTs) ?? group[0];
    const latest = Math.max(...group.map(({ message }) => Math.max(Number(message.ts), Number(message.editedTs ?? 0))));
    return {
      id: `slack:${channelId}:${threadTs}`,
      platform: "slack",
      channel: `#${channelName ?? channelId}`,
      ...(workspaceUrl ? { url: slackPermalink(workspaceUrl, channelId, threadTs) } : {}),
      messages,
      ...(parent?.location ? { location: parent.location } : {}),
      updatedAt: slackTsToIso(latest),
    };
  }

  private toChatMessage(message: SlackMessage): ChatMessage | undefined {
    const files = message.files.map((name) => `[file: ${name}]`);
    const text = [decodeMrkdwn(message.text, this.names).trim(), ...files].filter((part) => part !== "").join("\n");
    if (text === "") return undefined;
    const user = message.userId ? this.options.user(message.userId) : undefined;
    const author = user?.name ?? message.userNames[0] ?? message.userId ?? "unknown";
    return {
      id: message.ts,
      author,
      ...(message.userId ? { authorId: message.userId } : {}),
      role: this.roleOf(message, user),
      text,
      ts: slackTsToIso(message.ts),
      ...(message.reactions.length > 0 ? { reactions: message.reactions } : {}),
      ...(message.editedTs !== undefined ? { edited: true } : {}),
    };
  }

  private roleOf(message: SlackMessage, user: SlackUser | undefined): ChatRole {
    const names = [message.userId ?? "", ...message.userNames, ...(user?.aliases ?? [])];
    if (names.some((name) => this.support.has(name.toLowerCase()))) return "agent";
    return message.isBot || user?.isBot ? "bot" : "customer";
  }
}

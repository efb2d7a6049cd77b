import type { ChatMessage, ChatRole, ChatThread } from "../../src/chat/ChatThread.js";
import type { GqlDiscussion, GqlComment, GqlReply } from "./discussionQueries.js";

/** Author associations of the repository's own people: their replies are support answers. */
const MAINTAINERS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export interface DiscussionThreadOptions {
  /** "owner/name", for the thread id. */
  repo: string;
  /** Logins whose replies count as support answers besides the maintainers. */
  supportUsers?: readonly string[];
}

/**
 * A discussion as a past support conversation: the post, then each comment followed by its
 * replies, in time order. Maintainers and `supportUsers` are agents, bots are bots, everyone else a
 * customer. An answered discussion is resolved, and its accepted answer carries a ✅ and counts as
 * an agent's reply, so mining takes it as the answer whoever wrote it.
 */
export function toDiscussionThread(discussion: GqlDiscussion, comments: readonly GqlComment[], options: DiscussionThreadOptions): ChatThread {
  const support = new Set((options.supportUsers ?? []).map((u) => u.toLowerCase()));
  const message = (node: GqlReply | GqlDiscussion, text: string, accepted = false): ChatMessage => {
    const login = node.author?.login ?? "ghost";
    const role: ChatRole = node.author?.__typename === "Bot" ? "bot" : accepted || MAINTAINERS.has(node.authorAssociation) || support.has(login.toLowerCase()) ? "agent" : "customer";
    return { id: node.id, author: login, authorId: login, role, text, ts: node.createdAt, ...(accepted ? { reactions: ["✅"] } : {}) };
  };
  const messages: ChatMessage[] = [message(discussion, `${discussion.bodyText}`.trim() || discussion.title)];
  for (const comment of [...comments].sort(byCreatedAt)) {
    messages.push(message(comment, comment.bodyText, comment.isAnswer));
    for (const reply of [...comment.replies.nodes].sort(byCreatedAt)) messages.push(message(reply, reply.bodyText));
  }
  const tags = [discussion.category.name, ...(discussion.labels?.nodes.map((l) => l.name) ?? [])];
  return {
    id: `github:${options.repo}#${discussion.number}`,
    platform: "github",
    channel: discussion.category.name,
    title: discussion.title,
    url: discussion.url,
    messages: messages.filter((m) => m.text.trim() !== ""),
    tags,
    ...(discussion.isAnswered ? { resolved: true } : {}),
    updatedAt: discussion.updatedAt,
  };
}

function byCreatedAt(a: { createdAt: string }, b: { createdAt: string }): number {
  return Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

import type { SourceLocation } from "../types.js";

/** Who wrote a message in a support conversation. */
export type ChatRole = "customer" | "agent" | "bot";

export interface ChatMessage {
  /** The platform's message id (Slack `ts`, Discord snowflake, transcript index). */
  id: string;
  /** Display name, resolved from the platform's user id when the source allows it. */
  author: string;
  /** The platform's user id, when there is one (used to match designated support users). */
  authorId?: string;
  /**
   * `agent` for designated support users/roles and transcript agents, `bot` for bots,
   * else `customer`. A connector without support-user config marks everyone but bots `customer`.
   */
  role: ChatRole;
  /** Plain text: platform markup (mentions, links, entities) already decoded. */
  text: string;
  /** ISO 8601. */
  ts?: string;
  /** Reaction names on this message, e.g. ["white_check_mark", "+1"] or ["✅"]. */
  reactions?: string[];
  /** The message was edited at the source (the text is the edited version). */
  edited?: boolean;
}

/**
 * A past support conversation as connectors read it: a Slack thread, a Discord
 * thread or forum post, a helpdesk transcript. The first message is normally the
 * customer's question. Connectors turn one into a `chat` SourceDoc with
 * `chatThreadToSourceDoc`; resolved-thread mining reads the thread itself.
 */
export interface ChatThread {
  /** Stable across pulls, unique across sources, e.g. "slack:C0123:1700000000.000100". */
  id: string;
  /** Platform, for display: "slack", "discord", "transcript". */
  platform: string;
  /** Channel or forum name, e.g. "#support". */
  channel?: string;
  /** A title of its own (forum post name, transcript subject); else the first message stands for it. */
  title?: string;
  /** Link back to the thread (permalink, jump link). */
  url?: string;
  messages: ChatMessage[];
  /** Forum tags, transcript tags. */
  tags?: string[];
  /** The source says so explicitly (transcript `resolved`, a forum "solved" tag); undefined when it does not say. */
  resolved?: boolean;
  location?: SourceLocation;
  /** ISO 8601 time of the latest message or edit. */
  updatedAt?: string;
}

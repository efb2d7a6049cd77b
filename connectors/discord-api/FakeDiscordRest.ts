import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { compareSnowflakes, snowflakeAt } from "../discord-shared/snowflake.js";

/** A request the fake received. */
export interface FakeDiscordCall {
  method: string;
  /** Path after `/api/v10`, e.g. "/channels/123/messages". */
  path: string;
  query: Record<string, string>;
  status: number;
  /** Unix ms when it arrived. */
  at: number;
}

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

type Json = Record<string, unknown>;

export interface FakeDiscordRestOptions {
  /** The token requests must carry as `Authorization: Bot <token>`; others get a 401. */
  token: string;
  /** Most threads one archived-threads page holds (Discord: up to the `limit` asked, 100). Defaults to 100. */
  archivedPageSize?: number;
}

/**
 * A local stand-in for Discord's REST API v10 on 127.0.0.1, for connector tests: the
 * reads the discord-api connector makes (channel, messages with before/after paging,
 * active and archived public threads, guild roles/channels/members), bot-token auth,
 * 429s on demand, and a record of every call.
 */
export class FakeDiscordRest {
  readonly calls: FakeDiscordCall[] = [];
  private readonly server: Server;
  private readonly options: FakeDiscordRestOptions;
  private readonly channels = new Map<string, Json>();
  private readonly messages = new Map<string, Json[]>();
  private readonly guilds = new Map<string, { roles: Json[]; members: Map<string, Json> }>();
  private readonly rateLimits: { path: string; retryAfter: number; header: boolean }[] = [];
  private readonly refused = new Set<string>();
  private sequence = 0;

  constructor(options: FakeDiscordRestOptions) {
    this.options = options;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Listens on a free loopback port; returns the `apiUrl` to give the connector. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A snowflake made at `iso`, unique within this fake. */
  snowflake(iso: string): string {
    return (BigInt(snowflakeAt(Date.parse(iso))) + BigInt(++this.sequence)).toString();
  }

  addGuild(id: string, roles: { id: string; name: string }[]): void {
    this.guilds.set(id, { roles: roles.map((r) => ({ ...r, position: 1, permissions: "0" })), members: new Map() });
  }

  addMember(guildId: string, user: FakeUser, roles: string[], nick?: string): void {
    this.guilds.get(guildId)!.members.set(user.id, { user, roles, nick: nick ?? null, joined_at: "2023-01-01T00:00:00.000Z" });
  }

  addChannel(channel: { id: string; guild_id: string; name: string; type: number; available_tags?: { id: string; name: string }[] }): void {
    this.channels.set(channel.id, { ...channel, last_message_id: null });
    this.messages.set(channel.id, []);
  }

  /** A thread or forum post; archived ones have an archive time. The first message of a forum post must use the thread's id. */
  addThread(thread: { id: string; guild_id: string; parent_id: string; name: string; applied_tags?: string[]; archivedAt?: string; type?: number }): void {
    const { archivedAt, ...fields } = thread;
    this.channels.set(thread.id, {
      type: 11,
      ...fields,
      last_message_id: null,
      applied_tags: thread.applied_tags ?? [],
      thread_metadata: { archived: archivedAt !== undefined, archive_timestamp: archivedAt ?? "2024-01-01T00:00:00.000Z", auto_archive_duration: 1440, locked: false },
    });
    this.messages.set(thread.id, []);
  }

  deleteThread(id: string): void {
    this.channels.delete(id);
    this.messages.delete(id);
  }

  addMessage(channelId: string, message: { at: string; author: FakeUser; content: string; id?: string; type?: number; replyTo?: string; reactions?: string[]; mentions?: FakeUser[]; referenced?: Json }): Json {
    const id = message.id ?? this.snowflake(message.at);
    const json: Json = {
      id,
      channel_id: channelId,
      type: message.type ?? (message.replyTo ? 19 : 0),
      content: message.content,
      author: { discriminator: "0", avatar: null, global_name: null, ...message.author },
      timestamp: message.at,
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: message.mentions ?? [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      flags: 0,
      ...(message.reactions ? { reactions: message.reactions.map((name) => ({ count: 1, me: false, emoji: { id: null, name } })) } : {}),
      ...(message.replyTo ? { message_reference: { type: 0, message_id: message.replyTo, channel_id: channelId } } : {}),
      ...(message.referenced ? { message_reference: { type: 0, message_id: message.referenced.id, channel_id: message.referenced.channel_id }, referenced_message: message.referenced } : {}),
    };
    this.messages.get(channelId)!.push(json);
    const channel = this.channels.get(channelId)!;
    if (channel.last_message_id === null || compareSnowflakes(id, channel.last_message_id as string) > 0) channel.last_message_id = id;
    return json;
  }

  editMessage(channelId: string, id: string, content: string, at: string): void {
    const message = this.messages.get(channelId)!.find((m) => m.id === id)!;
    message.content = content;
    message.edited_timestamp = at;
  }

  deleteMessage(channelId: string, id: string): void {
    this.messages.set(channelId, this.messages.get(channelId)!.filter((m) => m.id !== id));
  }

  /**
   * The next request to this path gets a 429 with `retry_after` (seconds) in the body and, as
   * Discord sends it, the `Retry-After` header (`header: false` leaves it out, as a proxy might).
   */
  rateLimitOnce(path: string, retryAfter: number, options: { header?: boolean } = {}): void {
    this.rateLimits.push({ path, retryAfter, header: options.header ?? true });
  }

  /** Requests to this path get a 403 Missing Access until `allow`. */
  refuse(path: string): void {
    this.refused.add(path);
  }

  allow(path: string): void {
    this.refused.delete(path);
  }

  /** Calls to one path, in order. */
  callsTo(path: string): FakeDiscordCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname.replace(/^\/api\/v10/, "");
    const call: FakeDiscordCall = { method: req.method ?? "GET", path, query: Object.fromEntries(url.searchParams), status: 200, at: Date.now() };
    this.calls.push(call);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      call.status = status;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bot ${this.options.token}`) return send(401, { message: "401: Unauthorized", code: 0 });
    const limit = this.rateLimits.findIndex((r) => r.path === path);
    if (limit !== -1) {
      const { retryAfter, header } = this.rateLimits.splice(limit, 1)[0]!;
      return send(429, { message: "You are being rate limited.", retry_after: retryAfter, global: false }, header ? { "retry-after": String(retryAfter), "x-ratelimit-scope": "user" } : {});
    }
    if (this.refused.has(path)) return send(403, { message: "Missing Access", code: 50001 });
    const found = this.route(path, url.searchParams);
    if (found === undefined) return send(404, { message: "Unknown Channel", code: 10003 });
    send(200, found);
  }

  private route(path: string, query: URLSearchParams): unknown {
    let match: RegExpExecArray | null;
    if ((match = /^\/channels\/(\d+)$/.exec(path))) return this.channels.get(match[1]!);
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path))) {
      const all = this.messages.get(match[1]!);
      if (all === undefined) return undefined;
      const limit = Math.min(Number(query.get("limit") ?? 50), 100);
      const sorted = [...all].sort((a, b) => compareSnowflakes(a.id as string, b.id as string));
      const before = query.get("before");
      const after = query.get("after");
      // Newest first, as Discord answers; `after` gives the oldest `limit` messages after the id.
      if (after !== null) return sorted.filter((m) => compareSnowflakes(m.id as string, after) > 0).slice(0, limit).reverse();
      const older = before !== null ? sorted.filter((m) => compareSnowflakes(m.id as string, before) < 0) : sorted;
      return older.slice(-limit).reverse();
    }
    if ((match = /^\/guilds\/(\d+)\/threads\/active$/.exec(path))) {
      const threads = [...this.channels.values()].filter((c) => c.guild_id === match![1] && isThread(c) && !(c.thread_metadata as Json).archived);
      return { threads, members: [] };
    }
    if ((match = /^\/channels\/(\d+)\/threads\/archived\/public$/.exec(path))) {
      const before = query.get("before");
      const size = Math.min(Number(query.get("limit") ?? 50), this.options.archivedPageSize ?? 100);
      const archived = [...this.channels.values()]
        .filter((c) => c.parent_id === match![1] && c.type === 11 && (c.thread_metadata as Json).archived)
        .map((c) => ({ thread: c, at: (c.thread_metadata as Json).archive_timestamp as string }))
        .filter((t) => before === null || t.at < before)
        .sort((a, b) => (a.at < b.at ? 1 : -1));
      return { threads: archived.slice(0, size).map((t) => t.thread), members: [], has_more: archived.length > size };
    }
    if ((match = /^\/guilds\/(\d+)\/roles$/.exec(path))) return this.guilds.get(match[1]!)?.roles;
    if ((match = /^\/guilds\/(\d+)\/channels$/.exec(path))) return [...this.channels.values()].filter((c) => c.guild_id === match![1] && !isThread(c));
    if ((match = /^\/guilds\/(\d+)\/members\/(\d+)$/.exec(path))) return this.guilds.get(match[1]!)?.members.get(match[2]!);
    return undefined;
  }
}

function isThread(channel: Json): boolean {
  return channel.type === 10 || channel.type === 11 || channel.type === 12;
}

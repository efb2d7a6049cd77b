import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/** A call the fake's REST API received (path without `/api/v10`). */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  status: number;
  /** Date.now() when it arrived. */
  at: number;
}

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeChannel {
  id: string;
  /** 0 text, 11 public thread, 15 forum. */
  type: number;
  name: string;
  parent_id?: string | null;
  owner_id?: string;
  applied_tags?: string[];
  available_tags?: { id: string; name: string; moderated: boolean; emoji_id: null; emoji_name: string | null }[];
  [key: string]: unknown;
}

export interface FakeDiscordOptions {
  /** The only token the fake accepts. Defaults to "fake-token". */
  token?: string;
  /** Channels of the one guild (text channels and forums; threads are added as they are made). */
  channels: FakeChannel[];
  /** Roles of the guild besides @everyone. */
  roles?: { id: string; name: string }[];
  /** Intent bits this application is not allowed (close code 4014 when identified with them), e.g. 1 << 15 for Message Content. */
  disallowedIntents?: number;
  /** HELLO's heartbeat interval. Defaults to 45000 ms. */
  heartbeatIntervalMs?: number;
}

export const MESSAGE_CONTENT_INTENT = 1 << 15;

let nextId = 1_200_000_000_000_000_000n;
/** A fresh snowflake-shaped id. */
export function snowflake(): string {
  nextId += 1n;
  return String(nextId);
}

/**
 * A local Discord: the REST API discord.js calls (gateway info, messages, threads, channel edits, interaction
 * callbacks and webhooks, application commands, members) on 127.0.0.1, recording every call, and a gateway
 * WebSocket on the same port speaking the real protocol (json encoding, no compression): HELLO, IDENTIFY → READY
 * and GUILD_CREATE, HEARTBEAT → HEARTBEAT_ACK, and the dispatches a test sends. Messages it stores behave like
 * Discord's: created by the bot's REST calls, edited, deleted; content hidden from a client without the Message
 * Content intent unless it mentions the bot.
 */
export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  /** Every gateway payload the client sent (op, d), in order. */
  readonly gatewayReceived: { op: number; d: any }[] = [];
  readonly botUser: FakeUser = { id: snowflake(), username: "llamadesk", bot: true };
  readonly applicationId = snowflake();
  readonly guildId = snowflake();
  readonly channels = new Map<string, FakeChannel>();
  /** Messages by id. */
  readonly messages = new Map<string, any>();
  /** Application commands registered, by scope ("global" or the guild id). */
  readonly commands = new Map<string, any[]>();
  apiUrl = "";
  private readonly token: string;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly rateLimits: { match: (call: RecordedCall) => boolean; retryAfter: number }[] = [];
  private readonly interactionOriginals = new Map<string, { channelId: string; messageId: string; componentMessageId?: string }>();
  private readonly members = new Map<string, string[]>();
  private identifiedIntents = 0;
  private seq = 0;

  private constructor(private readonly options: FakeDiscordOptions) {
    this.token = options.token ?? "fake-token";
    for (const channel of options.channels) this.channels.set(channel.id, { ...channel });
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on("connection", (socket) => this.onConnection(socket));
  }

  static async start(options: FakeDiscordOptions): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.apiUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/api`;
    return fake;
  }

  /** The next call that `match` accepts gets a 429 with `retry_after` (seconds), as Discord sends it. */
  rateLimitNext(match: (call: RecordedCall) => boolean, retryAfter: number): void {
    this.rateLimits.push({ match, retryAfter });
  }

  /** Gives a user these role ids (sent as the member of their messages, interactions and reactions). */
  setRoles(userId: string, roleIds: string[]): void {
    this.members.set(userId, roleIds);
  }

  /** Gateway connections open now (clients that have connected and not yet closed). */
  get gatewayConnections(): number {
    return this.sockets.size;
  }

  /** The intents the client identified with. */
  get intents(): number {
    return this.identifiedIntents;
  }

  /** Sends a dispatch (op 0) to every connected client. */
  dispatch(t: string, d: unknown): void {
    const payload = JSON.stringify({ op: 0, t, s: ++this.seq, d });
    for (const socket of this.sockets) socket.send(payload);
  }

  /** Closes every gateway connection with a close code, as Discord does when it ends a session (4004 after a token reset). */
  closeGateway(code: number, reason = ""): void {
    for (const socket of this.sockets) socket.close(code, reason);
  }

  /** A user posts in a channel or thread; mentions (`<@id>`) are filled in from the content. */
  postMessage(input: { channelId: string; author: FakeUser; content: string; id?: string }): any {
    const message = this.makeMessage(input.channelId, input.author, input.content, input.id);
    this.messages.set(message.id, message);
    this.dispatch("MESSAGE_CREATE", this.asSeen({ ...message, member: this.member(input.author.id) }));
    return message;
  }

  /** A user opens a forum post: THREAD_CREATE (newly created), then the starter message (same id as the thread). */
  forumPost(input: { forumId: string; author: FakeUser; title: string; content: string }): { thread: FakeChannel; starter: any } {
    const thread = this.makeThread(input.forumId, input.title, input.author.id);
    this.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
    const starter = this.postMessage({ channelId: thread.id, author: input.author, content: input.content, id: thread.id });
    return { thread, starter };
  }

  /** A user runs `/ask question:<text>` in a channel or thread. */
  slashAsk(input: { channelId: string; user: FakeUser; question: string }): { id: string; token: string } {
    return this.interact(input.channelId, input.user, {
      type: 2,
      data: { id: snowflake(), name: "ask", type: 1, options: [{ name: "question", type: 3, value: input.question }] },
    });
  }

  /** A user presses a button of a message. */
  clickButton(input: { message: any; customId: string; user: FakeUser }): { id: string; token: string } {
    return this.interact(input.message.channel_id, input.user, {
      type: 3,
      data: { custom_id: input.customId, component_type: 2 },
      message: input.message,
    });
  }

  /** A user reacts to a message. */
  react(input: { message: any; user: FakeUser; emoji: string }): void {
    this.dispatch("MESSAGE_REACTION_ADD", {
      user_id: input.user.id,
      channel_id: input.message.channel_id,
      message_id: input.message.id,
      guild_id: this.guildId,
      emoji: { id: null, name: input.emoji },
      member: { ...this.member(input.user.id), user: input.user },
      burst: false,
      type: 0,
    });
  }

  /** Messages in a channel, oldest first, as they stand now. */
  messagesIn(channelId: string): any[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  /** Calls matching `method` and a path pattern. */
  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Resolves once `check` returns a truthy value (polled every 20 ms). */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 20_000, what = "the condition"): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`fake Discord: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- gateway ----

  private onConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs ?? 45_000 } }));
    socket.on("message", (data) => {
      const payload = JSON.parse(String(data)) as { op: number; d: any };
      this.gatewayReceived.push(payload);
      if (payload.op === 1) socket.send(JSON.stringify({ op: 11 }));
      else if (payload.op === 2) this.onIdentify(socket, payload.d);
      else if (payload.op === 6) socket.send(JSON.stringify({ op: 9, d: false }));
    });
  }

  private onIdentify(socket: WebSocket, d: { token: string; intents: number }): void {
    if (d.token !== this.token) return socket.close(4004, "Authentication failed.");
    if (d.intents & (this.options.disallowedIntents ?? 0)) return socket.close(4014, "Disallowed intent(s).");
    this.identifiedIntents = d.intents;
    const send = (t: string, data: unknown) => socket.send(JSON.stringify({ op: 0, t, s: ++this.seq, d: data }));
    send("READY", {
      v: 10,
      user: { ...this.botUser, discriminator: "0", global_name: null, avatar: null },
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: "fake-session",
      resume_gateway_url: this.apiUrl.replace(/^http/, "ws").replace(/\/api$/, ""),
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
    });
    send("GUILD_CREATE", {
      id: this.guildId,
      name: "Tidepool Community",
      owner_id: snowflake(),
      unavailable: false,
      member_count: 3,
      large: false,
      joined_at: new Date().toISOString(),
      features: [],
      emojis: [],
      stickers: [],
      roles: [{ id: this.guildId, name: "@everyone", permissions: "0", position: 0, color: 0, hoist: false, managed: false, mentionable: false }, ...(this.options.roles ?? []).map((r, i) => ({ ...r, permissions: "0", position: i + 1, color: 0, hoist: false, managed: false, mentionable: true }))],
      channels: [...this.channels.values()].filter((c) => c.type !== 11).map((c) => ({ ...c, guild_id: this.guildId })),
      threads: [...this.channels.values()].filter((c) => c.type === 11),
      members: [{ user: this.botUser, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false }],
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
    });
  }

  // ---- REST ----

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const call: RecordedCall = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, ""),
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : undefined,
      status: 200,
      at: Date.now(),
    };
    this.calls.push(call);
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      if (body === undefined) return void res.writeHead(status, headers).end();
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    const limited = this.rateLimits.findIndex((r) => r.match(call));
    if (limited >= 0) {
      const { retryAfter } = this.rateLimits.splice(limited, 1)[0]!;
      return reply(
        429,
        { message: "You are being rate limited.", retry_after: retryAfter, global: false },
        { "retry-after": String(retryAfter), "x-ratelimit-limit": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": String(retryAfter), "x-ratelimit-scope": "user" },
      );
    }
    const isWebhook = call.path.startsWith("/webhooks/") || call.path.startsWith("/interactions/");
    if (!isWebhook && req.headers.authorization !== `Bot ${this.token}`) return reply(401, { message: "401: Unauthorized", code: 0 });
    const result = this.route(call);
    if (result === undefined) return reply(404, { message: "404: Not Found", code: 0 });
    reply(result.status ?? 200, result.body);
  }

  private route(call: RecordedCall): { status?: number; body?: unknown } | undefined {
    const { method, path, body } = call;
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/gateway/bot") {
      const url = this.apiUrl.replace(/^http/, "ws").replace(/\/api$/, "");
      return { body: { url, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
    }
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === "POST") {
      const message = { ...this.makeMessage(m[1]!, this.botUser, body.content ?? ""), embeds: body.embeds ?? [], components: body.components ?? [] };
      this.messages.set(message.id, message);
      return { body: message };
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path))) {
      const message = this.messages.get(m[2]!);
      if (!message || message.channel_id !== m[1]) return { status: 404, body: { message: "Unknown Message", code: 10008 } };
      if (method === "GET") return { body: this.asSeen(message) };
      if (method === "DELETE") {
        this.messages.delete(message.id);
        return { status: 204 };
      }
      if (method === "PATCH") return { body: this.edit(message, body) };
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === "POST") {
      return { status: 201, body: this.makeThread(m[1]!, body.name, this.botUser.id, m[2]) };
    }
    if ((m = /^\/channels\/(\d+)\/typing$/.exec(path)) && method === "POST") return { status: 204 };
    if ((m = /^\/channels\/(\d+)$/.exec(path)) && this.channels.has(m[1]!)) {
      const channel = this.channels.get(m[1]!)!;
      if (method === "PATCH") Object.assign(channel, body);
      return { body: { ...channel, guild_id: this.guildId } };
    }
    if ((m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path)) && method === "POST") {
      const original = this.interactionOriginals.get(m[2]!);
      if (original && (body.type === 4 || body.type === 5)) {
        const message = { ...this.makeMessage(original.channelId, this.botUser, body.data?.content ?? "", original.messageId), flags: body.data?.flags ?? 0 };
        message.embeds = body.data?.embeds ?? [];
        message.components = body.data?.components ?? [];
        this.messages.set(message.id, message);
      }
      const clicked = original?.componentMessageId && this.messages.get(original.componentMessageId);
      if (clicked && body.type === 7) this.edit(clicked, body.data);
      return { status: 204 };
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/.exec(path))) {
      const original = this.interactionOriginals.get(m[2]!);
      const id = m[3] === "@original" ? original?.messageId : m[3];
      const message = id ? this.messages.get(id) : undefined;
      if (!message) return { status: 404, body: { message: "Unknown Message", code: 10008 } };
      if (method === "DELETE") {
        this.messages.delete(message.id);
        return { status: 204 };
      }
      if (method === "PATCH") return { body: this.edit(message, body) };
      if (method === "GET") return { body: message };
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === "POST") {
      const original = this.interactionOriginals.get(m[2]!);
      if (!original) return undefined;
      const message = { ...this.makeMessage(original.channelId, this.botUser, body.content ?? ""), embeds: body.embeds ?? [], components: body.components ?? [], flags: body.flags ?? 0 };
      this.messages.set(message.id, message);
      return { body: message };
    }
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path)) && method === "PUT") {
      const registered = (body as any[]).map((c) => ({ ...c, id: snowflake(), application_id: m![1], version: snowflake() }));
      this.commands.set(m[2] ?? "global", registered);
      return { body: registered };
    }
    if ((m = /^\/guilds\/(\d+)\/members\/(\d+)$/.exec(path)) && method === "GET") {
      return { body: { ...this.member(m[2]!), user: { id: m[2], username: `user${m[2]!.slice(-4)}` } } };
    }
    return undefined;
  }

  private interact(channelId: string, user: FakeUser, fields: Record<string, unknown>): { id: string; token: string } {
    const id = snowflake();
    const token = `interaction-token-${id}`;
    const componentMessageId = (fields.message as { id?: string } | undefined)?.id;
    this.interactionOriginals.set(token, { channelId, messageId: snowflake(), ...(componentMessageId ? { componentMessageId } : {}) });
    const channel = this.channels.get(channelId);
    this.dispatch("INTERACTION_CREATE", {
      id,
      application_id: this.applicationId,
      token,
      version: 1,
      guild_id: this.guildId,
      channel_id: channelId,
      channel: channel && { ...channel, guild_id: this.guildId },
      member: { ...this.member(user.id), user, permissions: "0" },
      app_permissions: "2251799813685247",
      locale: "en-US",
      guild_locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": this.guildId },
      context: 0,
      ...fields,
    });
    return { id, token };
  }

  private makeThread(parentId: string, name: string, ownerId: string, id = snowflake()): FakeChannel {
    const thread: FakeChannel = {
      id,
      type: 11,
      name,
      guild_id: this.guildId,
      parent_id: parentId,
      owner_id: ownerId,
      applied_tags: [],
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    };
    this.channels.set(id, thread);
    return thread;
  }

  private makeMessage(channelId: string, author: FakeUser, content: string, id = snowflake()): any {
    const mentions = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => (m[1] === this.botUser.id ? this.botUser : { id: m[1], username: `user${m[1]!.slice(-4)}` }));
    return {
      id,
      type: 0,
      channel_id: channelId,
      guild_id: this.guildId,
      author: { discriminator: "0", avatar: null, global_name: null, ...author },
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions,
      mention_roles: [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]),
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
    };
  }

  private edit(message: any, body: any): any {
    for (const field of ["content", "embeds", "components"] as const) if (body?.[field] !== undefined) message[field] = body[field];
    message.edited_timestamp = new Date().toISOString();
    return message;
  }

  /** What a client receives: without the Message Content intent, content of messages not mentioning the bot is empty. */
  private asSeen(message: any): any {
    const readable = this.identifiedIntents & MESSAGE_CONTENT_INTENT || message.author.id === this.botUser.id || message.mentions.some((u: FakeUser) => u.id === this.botUser.id);
    return readable ? message : { ...message, content: "", embeds: [] };
  }

  private member(userId: string): Record<string, unknown> {
    return { roles: this.members.get(userId) ?? [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
  }
}

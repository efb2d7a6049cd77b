import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/** One call to the fake Web API, as the client made it. */
export interface FakeSlackCall {
  method: string;
  /** Form fields, with JSON ones (blocks) parsed. */
  params: Record<string, any>;
  /** The bearer token sent. */
  token: string | undefined;
  /** The HTTP status the fake answered with (429 for an injected rate limit). */
  status: number;
  at: number;
}

/** A message in the fake workspace (posted by the bot, or added by a test as a person's). */
export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  bot_id?: string;
  text: string;
  blocks?: any[];
}

/** An injected failure for the next call(s) of a method. */
export type FakeFailure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export interface FakeSlackOptions {
  botToken: string;
  /** Socket Mode: the app-level token `apps.connections.open` accepts. */
  appToken?: string;
  botUserId?: string;
  botId?: string;
}

/**
 * A local stand-in for Slack's cloud: the Web API methods the bot calls (auth.test, chat.*, conversations.replies/history,
 * reactions.add, views.open, apps.connections.open), response URLs, and a Socket Mode WebSocket that sends
 * `hello` and event envelopes and collects the acks. It keeps the messages posted and records every call.
 */
export class FakeSlack {
  readonly calls: FakeSlackCall[] = [];
  readonly messages: FakeMessage[] = [];
  /** Envelope acks received over the WebSocket, by envelope id. */
  readonly acks = new Map<string, any>();
  readonly botUserId: string;
  readonly botId: string;
  private readonly failures: { method: string; failure: FakeFailure; remaining: number; when?: (params: Record<string, any>) => boolean }[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly ackWaiters = new Map<string, (ack: any) => void>();
  private readonly callWaiters = new Set<() => void>();
  private tsCounter = 0;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    private readonly options: FakeSlackOptions,
  ) {
    this.botUserId = options.botUserId ?? "U0LLAMADESK";
    this.botId = options.botId ?? "B0LLAMADESK";
  }

  static async start(options: FakeSlackOptions): Promise<FakeSlack> {
    const server = createServer();
    const wss = new WebSocketServer({ server, path: "/link" });
    const fake = new FakeSlack(server, wss, options);
    server.on("request", (req, res) => void fake.handle(req, res));
    wss.on("connection", (socket) => fake.connected(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What to give the Bolt App as `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  /** Makes the next `times` calls of `method` fail this way. */
  failNext(method: string, failure: FakeFailure, times = 1): void {
    this.failures.push({ method, failure, remaining: times });
  }

  /** Makes every call of `method` whose parameters match `when` fail this way, until `clearFailures()`. */
  failWhen(method: string, failure: FakeFailure, when: (params: Record<string, any>) => boolean): void {
    this.failures.push({ method, failure, remaining: Infinity, when });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A message a person wrote, so conversations.replies can find it. Returns its ts. */
  addMessage(message: Omit<FakeMessage, "ts"> & { ts?: string }): string {
    const ts = message.ts ?? this.nextTs();
    this.messages.push({ ...message, ts });
    return ts;
  }

  /** A fresh, increasing message timestamp. */
  nextTs(): string {
    this.tsCounter += 1;
    return `1700000000.${String(this.tsCounter).padStart(6, "0")}`;
  }

  /** Resolves once `check` returns something truthy (checked after every call), or rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 20_000, what = "a Slack call"): Promise<T> {
    const now = check();
    if (now) return now;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.callWaiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Calls: ${this.calls.map((c) => c.method).join(", ")}`));
      }, timeoutMs);
      const waiter = () => {
        const value = check();
        if (!value) return;
        clearTimeout(timer);
        this.callWaiters.delete(waiter);
        resolve(value);
      };
      this.callWaiters.add(waiter);
    });
  }

  /** Waits for the `n`-th call (1-based) of `method` matching `where`. */
  waitForCall(method: string, where: (call: FakeSlackCall) => boolean = () => true, n = 1, timeoutMs?: number): Promise<FakeSlackCall> {
    return this.waitFor(() => this.callsOf(method).filter(where)[n - 1], timeoutMs, `${method} #${n}`);
  }

  /** Socket Mode: sends an envelope to every connected client and resolves with the first ack for it. */
  async sendEnvelope(type: "events_api" | "slash_commands" | "interactive", payload: unknown, timeoutMs = 5000): Promise<any> {
    if (this.sockets.size === 0) throw new Error("No Socket Mode client is connected.");
    const envelopeId = randomUUID();
    const acked = new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No ack for envelope ${envelopeId} (${type}) within ${timeoutMs} ms.`)), timeoutMs);
      this.ackWaiters.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    const envelope = { envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api", retry_attempt: 0, retry_reason: "" };
    for (const socket of this.sockets) socket.send(JSON.stringify(envelope));
    return acked;
  }

  get socketConnections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connected(socket: WebSocket): void {
    this.sockets.add(socket);
    // Slack pings its clients; the client gives up on a server that stays silent for 30 s.
    const ping = setInterval(() => socket.ping(), 5000);
    socket.on("close", () => {
      clearInterval(ping);
      this.sockets.delete(socket);
    });
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string };
      if (!message.envelope_id) return;
      this.acks.set(message.envelope_id, message);
      this.ackWaiters.get(message.envelope_id)?.(message);
      this.ackWaiters.delete(message.envelope_id);
    });
    socket.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake-slack" }, connection_info: { app_id: "A0LLAMADESK" } }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", this.origin);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (url.pathname.startsWith("/respond/")) {
      this.record("response_url", JSON.parse(raw || "{}"), token, 200);
      return send(res, 200, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, "");
    const params = parseParams(raw, req.headers["content-type"]);
    const rule = this.failures.find((f) => f.method === method && f.remaining > 0 && (f.when?.(params) ?? true));
    if (rule) rule.remaining -= 1;
    const failure = rule?.failure;
    if (failure && "status" in failure) {
      this.record(method, params, token, failure.status);
      if (failure.status === 429) return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(failure.retryAfter) });
      return send(res, 500, { ok: false, error: "internal_error" });
    }
    // Answer (changing the workspace) before recording: waiters see the call's effect.
    const answer = failure ? { ok: false, error: failure.error } : this.answer(method, params, token);
    this.record(method, params, token, 200);
    send(res, 200, answer);
  }

  private record(method: string, params: Record<string, any>, token: string | undefined, status: number): void {
    this.calls.push({ method, params, token, status, at: Date.now() });
    for (const waiter of [...this.callWaiters]) waiter();
  }

  private answer(method: string, p: Record<string, any>, token: string | undefined): Record<string, unknown> {
    if (method === "apps.connections.open") {
      if (!this.options.appToken || token !== this.options.appToken) return { ok: false, error: "invalid_auth" };
      return { ok: true, url: `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link?ticket=${randomUUID()}` };
    }
    if (token !== this.options.botToken) return { ok: false, error: "invalid_auth" };
    switch (method) {
      case "auth.test":
        return { ok: true, url: `${this.origin}/`, team: "Tidepool Support", user: "llamadesk", team_id: "T0TIDEPOOL", user_id: this.botUserId, bot_id: this.botId };
      case "chat.postMessage": {
        const message: FakeMessage = { channel: p.channel, ts: this.nextTs(), user: this.botUserId, bot_id: this.botId, text: p.text ?? "", ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}), ...(p.blocks ? { blocks: p.blocks } : {}) };
        this.messages.push(message);
        return { ok: true, channel: p.channel, ts: message.ts, message };
      }
      case "chat.update": {
        const message = this.messages.find((m) => m.channel === p.channel && m.ts === p.ts);
        if (!message) return { ok: false, error: "message_not_found" };
        Object.assign(message, { text: p.text ?? message.text, blocks: p.blocks ?? message.blocks });
        return { ok: true, channel: p.channel, ts: p.ts, text: message.text };
      }
      case "chat.delete": {
        const at = this.messages.findIndex((m) => m.channel === p.channel && m.ts === p.ts);
        if (at === -1) return { ok: false, error: "message_not_found" };
        this.messages.splice(at, 1);
        return { ok: true, channel: p.channel, ts: p.ts };
      }
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.nextTs() };
      case "chat.getPermalink":
        return { ok: true, channel: p.channel, permalink: `${this.origin}/archives/${p.channel}/p${String(p.message_ts).replace(".", "")}` };
      case "conversations.replies": {
        const message = this.messages.find((m) => m.channel === p.channel && m.ts === p.ts);
        return message ? { ok: true, messages: [message], has_more: false } : { ok: false, error: "thread_not_found" };
      }
      case "conversations.history": {
        // The channel's top-level messages, newest first, paged with an opaque cursor (as Slack documents it).
        const inChannel = this.messages
          .filter((m) => m.channel === p.channel && (!m.thread_ts || m.thread_ts === m.ts))
          .filter((m) => (p.oldest === undefined || Number(m.ts) > Number(p.oldest)) && (p.latest === undefined || Number(m.ts) < Number(p.latest)))
          .sort((a, b) => Number(b.ts) - Number(a.ts));
        const start = p.cursor ? Number(Buffer.from(String(p.cursor), "base64").toString().replace("offset:", "")) : 0;
        const limit = Math.min(Number(p.limit ?? 100) || 100, 999);
        const page = inChannel.slice(start, start + limit);
        const more = start + limit < inChannel.length;
        return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString("base64") : "" } };
      }
      case "reactions.add":
      case "views.open":
        return { ok: true };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function parseParams(raw: string, contentType: string | undefined): Record<string, any> {
  if (contentType?.includes("application/json")) return JSON.parse(raw || "{}");
  const params: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return params;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake received. */
export interface FakeSlackCall {
  method: string;
  params: Record<string, string>;
  /** The Authorization header as sent. */
  authorization: string | undefined;
}

/** A raw Slack message as the fake stores it (the shape the Web API returns). */
export type FakeSlackMessage = Record<string, unknown> & { ts: string; thread_ts?: string; text?: string; user?: string };

export interface FakeSlackWebApiOptions {
  /** The bot token requests must carry. Defaults to "xoxb-fake-token". */
  token?: string;
  /** What auth.test reports as the workspace URL. Defaults to "https://acme.slack.com/". */
  workspaceUrl?: string;
}

/**
 * The Slack Web API methods a channel pull uses, served on 127.0.0.1 from in-memory
 * channels, recording every call: auth.test, conversations.info/history/replies (cursor
 * pagination, `oldest`/`latest`, tombstones for deleted parents with replies), users.info,
 * and scripted failures (a 429 with Retry-After, a platform error).
 */
export class FakeSlackWebApi {
  readonly calls: FakeSlackCall[] = [];
  readonly token: string;
  readonly channels = new Map<string, { name: string; messages: FakeSlackMessage[] }>();
  readonly users = new Map<string, Record<string, unknown>>();
  private readonly failures: { method: string; status: number; retryAfter?: number; error?: string }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly workspaceUrl: string,
    token: string,
  ) {
    this.token = token;
  }

  static async start(options: FakeSlackWebApiOptions = {}): Promise<FakeSlackWebApi> {
    let fake: FakeSlackWebApi | undefined;
    const server = createServer((request, response) => void fake!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlackWebApi(server, `http://127.0.0.1:${port}/api/`, options.workspaceUrl ?? "https://acme.slack.com/", options.token ?? "xoxb-fake-token");
    return fake;
  }

  addChannel(id: string, name: string): void {
    this.channels.set(id, { name, messages: [] });
  }

  addUser(user: Record<string, unknown> & { id: string }): void {
    this.users.set(user.id, user);
  }

  post(channel: string, message: FakeSlackMessage): void {
    this.messagesOf(channel).push({ type: "message", ...message });
  }

  edit(channel: string, ts: string, text: string, editedTs: string): void {
    const message = this.messagesOf(channel).find((m) => m.ts === ts);
    if (!message) throw new Error(`no message ${ts} in ${channel}`);
    Object.assign(message, { text, edited: { user: message.user, ts: editedTs } });
  }

  /** Deletes a message as Slack does: a parent that still has replies becomes a tombstone. */
  delete(channel: string, ts: string): void {
    const messages = this.messagesOf(channel);
    const index = messages.findIndex((m) => m.ts === ts);
    if (index === -1) throw new Error(`no message ${ts} in ${channel}`);
    const hasReplies = messages.some((m) => m.thread_ts === ts && m.ts !== ts);
    if (hasReplies) messages[index] = { type: "message", subtype: "tombstone", ts, thread_ts: ts, user: "USLACKBOT", text: "This message was deleted.", hidden: true };
    else messages.splice(index, 1);
  }

  /** The next call of `method` fails: 429 with Retry-After (seconds), or `ok: false` with `error`. */
  failNext(method: string, failure: { status: 429; retryAfter: number } | { error: string }): void {
    this.failures.push({ method, ...("error" in failure ? { status: 200, error: failure.error } : failure) });
  }

  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private messagesOf(channel: string): FakeSlackMessage[] {
    const found = this.channels.get(channel);
    if (!found) throw new Error(`no channel ${channel}`);
    return found.messages;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of request) body += chunk;
    const method = (request.url ?? "").replace(/^\/api\//, "").split("?")[0]!;
    const params = Object.fromEntries(new URLSearchParams(body));
    this.calls.push({ method, params, authorization: request.headers.authorization });

    const failure = this.failures.findIndex((f) => f.method === method);
    if (failure !== -1) {
      const [{ status, retryAfter, error }] = this.failures.splice(failure, 1) as [(typeof this.failures)[number]];
      if (status === 429) {
        response.writeHead(429, { "retry-after": String(retryAfter), "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      return send(response, { ok: false, error });
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) return send(response, { ok: false, error: "invalid_auth" });
    send(response, this.answer(method, params));
  }

  private answer(method: string, params: Record<string, string>): Record<string, unknown> {
    if (method === "auth.test") return { ok: true, url: this.workspaceUrl, team: "Acme", user: "llamadesk", team_id: "T01ACME", user_id: "U0BOT" };
    if (method === "users.info") {
      const user = this.users.get(params.user ?? "");
      return user ? { ok: true, user } : { ok: false, error: "user_not_found" };
    }
    const channel = this.channels.get(params.channel ?? "");
    if (!channel) return { ok: false, error: "channel_not_found" };
    if (method === "conversations.info") return { ok: true, channel: { id: params.channel, name: channel.name, is_channel: true } };
    if (method === "conversations.history") {
      const top = channel.messages
        .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === "thread_broadcast")
        .filter((m) => inRange(m.ts, params))
        .sort((a, b) => Number(b.ts) - Number(a.ts))
        .map((m) => withThreadFields(m, channel.messages));
      return page(top, params, "messages");
    }
    if (method === "conversations.replies") {
      const thread = channel.messages.filter((m) => m.ts === params.ts || m.thread_ts === params.ts).sort((a, b) => Number(a.ts) - Number(b.ts));
      if (!thread.some((m) => m.ts === params.ts)) return { ok: false, error: "thread_not_found" };
      return page(thread.map((m) => withThreadFields(m, channel.messages)), params, "messages");
    }
    return { ok: false, error: "unknown_method" };
  }
}

function send(response: ServerResponse, body: Record<string, unknown>): void {
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function inRange(ts: string, params: Record<string, string>): boolean {
  const inclusive = params.inclusive === "true";
  if (params.oldest !== undefined && (inclusive ? Number(ts) < Number(params.oldest) : Number(ts) <= Number(params.oldest))) return false;
  if (params.latest !== undefined && (inclusive ? Number(ts) > Number(params.latest) : Number(ts) >= Number(params.latest))) return false;
  return true;
}

/** A parent's reply_count and latest_reply, as Slack computes them. */
function withThreadFields(message: FakeSlackMessage, all: FakeSlackMessage[]): FakeSlackMessage {
  const replies = all.filter((m) => m.thread_ts === message.ts && m.ts !== message.ts);
  if (replies.length === 0) return message;
  return { ...message, thread_ts: message.ts, reply_count: replies.length, latest_reply: replies.map((m) => m.ts).sort().at(-1) };
}

/** Cursor pagination: the cursor is the offset of the next page. */
function page(items: FakeSlackMessage[], params: Record<string, string>, key: string): Record<string, unknown> {
  const limit = Number(params.limit ?? 100);
  const offset = params.cursor ? Number(Buffer.from(params.cursor, "base64").toString()) : 0;
  const next = offset + limit < items.length ? Buffer.from(String(offset + limit)).toString("base64") : "";
  return { ok: true, [key]: items.slice(offset, offset + limit), has_more: next !== "", response_metadata: { next_cursor: next } };
}

import { createHmac, randomUUID } from "node:crypto";

/** Test credentials: shaped like Slack's, worth nothing. */
export const BOT_TOKEN = "xoxb-1111-2222-fakebottoken";
export const APP_TOKEN = "xapp-1-A0LLAMADESK-3333-fakeapptoken";
export const SIGNING_SECRET = "8f742231b10e8888abcd99aaa1c2e3f4";
export const TEAM = "T0TIDEPOOL";
export const BOT_USER = "U0LLAMADESK";

/** The Events API wrapper around an event, as Slack sends it. */
export function eventCallback(event: Record<string, unknown>): Record<string, unknown> {
  const ts = (event.ts as string | undefined) ?? `${Math.floor(Date.now() / 1000)}.000000`;
  return {
    token: "legacy-verification-token",
    team_id: TEAM,
    api_app_id: "A0LLAMADESK",
    event: { event_ts: ts, ...event },
    type: "event_callback",
    event_id: `Ev${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: BOT_USER, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

export function appMention(e: { channel: string; user: string; text: string; ts: string; thread_ts?: string }): Record<string, unknown> {
  return eventCallback({ type: "app_mention", team: TEAM, client_msg_id: randomUUID(), ...e });
}

export function messageEvent(e: { channel: string; user?: string; text: string; ts: string; thread_ts?: string; channel_type?: string; bot_id?: string; subtype?: string }): Record<string, unknown> {
  return eventCallback({ type: "message", team: TEAM, channel_type: e.channel.startsWith("D") ? "im" : "channel", ...e });
}

export function reactionAdded(e: { user: string; reaction: string; channel: string; ts: string }): Record<string, unknown> {
  return eventCallback({ type: "reaction_added", user: e.user, reaction: e.reaction, item_user: BOT_USER, item: { type: "message", channel: e.channel, ts: e.ts }, event_ts: `${Date.now() / 1000}` });
}

/** A `block_actions` payload: someone pressed a button on a message. */
export function blockAction(a: {
  actionId: string;
  value: string;
  user: string;
  channel: string;
  message?: { ts: string; thread_ts?: string; text?: string; blocks?: unknown[] };
  ephemeral?: boolean;
  responseUrl?: string;
}): Record<string, unknown> {
  return {
    type: "block_actions",
    user: { id: a.user, username: a.user.toLowerCase(), team_id: TEAM },
    api_app_id: "A0LLAMADESK",
    token: "legacy-verification-token",
    container: a.ephemeral
      ? { type: "message", message_ts: a.message?.ts ?? "", channel_id: a.channel, is_ephemeral: true }
      : { type: "message", message_ts: a.message?.ts ?? "", channel_id: a.channel, is_ephemeral: false, thread_ts: a.message?.thread_ts },
    trigger_id: `${Date.now()}.1234.${randomUUID().slice(0, 8)}`,
    team: { id: TEAM, domain: "tidepool" },
    channel: { id: a.channel, name: "support" },
    ...(a.message && !a.ephemeral ? { message: { type: "message", user: BOT_USER, bot_id: "B0LLAMADESK", ...a.message } } : {}),
    response_url: a.responseUrl ?? "http://127.0.0.1:9/unused",
    actions: [{ type: "button", action_id: a.actionId, block_id: "llamadesk_actions", value: a.value, text: { type: "plain_text", text: "x" }, action_ts: `${Date.now() / 1000}` }],
  };
}

/** The form fields of a slash command. */
export function slashCommand(c: { command?: string; text: string; user: string; channel: string; responseUrl: string }): Record<string, string> {
  return {
    token: "legacy-verification-token",
    team_id: TEAM,
    team_domain: "tidepool",
    channel_id: c.channel,
    channel_name: "support",
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: c.command ?? "/ask",
    text: c.text,
    api_app_id: "A0LLAMADESK",
    response_url: c.responseUrl,
    trigger_id: `${Date.now()}.1234.${randomUUID().slice(0, 8)}`,
  };
}

/** `v0=<hex>`: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret, as Slack signs requests. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface SignedPostOptions {
  /** Seconds since the epoch. Defaults to now. */
  timestamp?: number;
  /** Defaults to signing with SIGNING_SECRET. */
  secret?: string;
  /** Overrides the computed signature. */
  signature?: string;
}

/** POSTs a body to the bot's events endpoint the way Slack does: signed, JSON for events, form-encoded otherwise. */
export async function postToSlackEndpoint(url: string, body: { json: unknown } | { form: Record<string, string> }, options: SignedPostOptions = {}): Promise<Response> {
  const raw = "json" in body ? JSON.stringify(body.json) : new URLSearchParams(body.form).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "json" in body ? "application/json" : "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? slackSignature(options.secret ?? SIGNING_SECRET, timestamp, raw),
    },
    body: raw,
  });
}

/** An interaction (button press) is posted as a form with one field, `payload`, holding the JSON. */
export function interaction(payload: unknown): { form: Record<string, string> } {
  return { form: { payload: JSON.stringify(payload) } };
}

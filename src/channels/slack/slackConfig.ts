import { z } from "zod";
import type { EnvConfig } from "../../config.js";
import { LlamadeskError } from "../../errors.js";

/** When the bot answers in a channel: every new top-level message, only when @mentioned, or never. */
export type SlackChannelMode = "all" | "mention" | "ignore";
export const SLACK_CHANNEL_MODES: readonly SlackChannelMode[] = ["all", "mention", "ignore"];

/** The config file's `slack` section (no credentials: those come from the environment). Every field is optional. */
export interface SlackConfig {
  /** How Slack delivers events: `http` (Events API to a public URL) or `socket` (Socket Mode, no public URL). Defaults to `socket` when SLACK_APP_TOKEN is set and SLACK_SIGNING_SECRET is not, else `http`. */
  mode?: "http" | "socket";
  /** HTTP mode: the port to listen on. Defaults to PORT, then 3000. */
  port?: number;
  /** HTTP mode: the path Slack posts events, interactions and slash commands to. Defaults to `/slack/events`. */
  path?: string;
  /** Web API base URL (a proxy, GovSlack). Defaults to SLACK_API_URL, then Slack's. */
  apiUrl?: string;
  /** The slash command that asks the bot. Defaults to `/ask`. */
  command?: string;
  /** Whether slash-command answers are visible to the channel (`public`, threaded under the question) or only to the asker. Defaults to `ephemeral`. */
  commandReply?: "public" | "ephemeral";
  /** When the bot answers in channels not listed in `channels`. Defaults to `mention`. */
  defaultMode?: SlackChannelMode;
  /** Channels (ids, e.g. `C0123ABCD`) with their own mode. */
  channels?: { channel: string; mode: SlackChannelMode }[];
  /** Where a conversation goes when the customer asks for a human (or the bot cannot answer twice). Defaults to telling the customer only. */
  handoff?: {
    /** Channel id where a summary with a link to the thread is posted, with a "Mark resolved" button. */
    channel?: string;
    /** User group id (`S0123ABCD`) or user id (`U0123ABCD`) mentioned with the handoff. */
    mention?: string;
  };
  /** Least time between two edits of a streaming answer. Defaults to 1000 ms (Slack allows about one update per second per message). */
  updateIntervalMs?: number;
  /** Sources listed under an answer. Defaults to 4. */
  maxSources?: number;
}

const SLACK_ID = /^[A-Z0-9]{2,}$/;
const id = (what: string) => z.string().regex(SLACK_ID, `must be a Slack ${what} id such as C0123ABCD (right-click the channel > Copy link; the id ends the link)`);

const schema = z
  .object({
    mode: z.enum(["http", "socket"]),
    port: z.number().int().min(0).max(65535),
    path: z.string().regex(/^\/\S*$/, "must start with /"),
    apiUrl: z.string().url().regex(/^https?:\/\//, "must be an http(s) URL"),
    command: z.string().regex(/^\/[\w-]+$/, "must be a slash command such as /ask"),
    commandReply: z.enum(["public", "ephemeral"]),
    defaultMode: z.enum(["all", "mention", "ignore"]),
    channels: z.array(z.object({ channel: id("channel"), mode: z.enum(["all", "mention", "ignore"]) }).strict()),
    handoff: z
      .object({
        channel: id("channel"),
        mention: z.string().regex(/^[SUW][A-Z0-9]+$/, "must be a user group id (S0123ABCD) or a user id (U0123ABCD)"),
      })
      .strict()
      .partial(),
    updateIntervalMs: z.number().int().min(0),
    maxSources: z.number().int().min(0).max(9),
  })
  .strict()
  .partial();

/**
 * Checks settings from one place (the config file's `slack` section, or the channel's options) and reports the
 * first wrong field as `<where>: <field>: <problem>`. Credentials are refused: they belong in the environment.
 */
export function parseSlackConfig(raw: unknown, where: string): SlackConfig {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const secret = issue.keys.find((k) => /token|secret/i.test(k));
    const fix = secret
      ? "credentials stay out of config files: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET or SLACK_APP_TOKEN in the environment instead"
      : `unknown field; the fields are ${Object.keys(schema.shape).join(", ")}`;
    throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `${where}: ${[...issue.path, issue.keys.join(", ")].join(".")}: ${fix}.`);
  }
  throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `${where}: ${issue.path.join(".") || "(top level)"}: ${issue.message}. See README, "Slack".`);
}

/** Credentials, explicit or from the environment. */
export interface SlackCredentials {
  botToken?: string | undefined;
  signingSecret?: string | undefined;
  appToken?: string | undefined;
}

/** Everything the Slack channel runs with, checked. */
export interface SlackSettings extends Required<Pick<SlackConfig, "mode" | "path" | "command" | "commandReply" | "defaultMode" | "updateIntervalMs" | "maxSources">> {
  botToken: string;
  /** HTTP mode. */
  signingSecret?: string;
  /** Socket Mode. */
  appToken?: string;
  port: number;
  /** Ends with `/`. */
  apiUrl: string;
  channels: Map<string, SlackChannelMode>;
  handoff: { channel?: string; mention?: string };
}

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

/**
 * Merges explicit settings over the config file's over the environment, and checks that what the chosen mode
 * needs is there and well-formed — before anything connects. Errors name the environment variable or field.
 */
export function resolveSlackSettings(explicit: SlackConfig & SlackCredentials, file: SlackConfig, env: EnvConfig): SlackSettings {
  const pick = <K extends keyof SlackConfig>(key: K): SlackConfig[K] => explicit[key] ?? file[key];
  const botToken = explicit.botToken ?? env.slackBotToken;
  const signingSecret = explicit.signingSecret ?? env.slackSigningSecret;
  const appToken = explicit.appToken ?? env.slackAppToken;
  const mode = pick("mode") ?? (appToken && !signingSecret ? "socket" : "http");

  if (!botToken) {
    fail("SLACK_BOT_TOKEN is not set. Set it to the app's Bot User OAuth Token (xoxb-..., Slack app settings > OAuth & Permissions).");
  }
  if (!/^(?:xoxe\.)?xoxb-[\w-]+$/.test(botToken)) {
    fail(`SLACK_BOT_TOKEN must be a bot token starting with xoxb- (it starts with "${botToken.slice(0, 5)}"). Copy the Bot User OAuth Token from Slack app settings > OAuth & Permissions.`);
  }
  if (mode === "http") {
    if (!signingSecret) {
      fail(
        "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to check that requests come from Slack (Slack app settings > Basic Information > Signing Secret). " +
          "Or use Socket Mode (--socket, or \"mode\": \"socket\" in the config file's slack section) with SLACK_APP_TOKEN.",
      );
    }
    if (!/^[0-9a-f]{16,}$/i.test(signingSecret)) {
      fail("SLACK_SIGNING_SECRET does not look like a Slack signing secret (a string of hex digits). Copy it from Slack app settings > Basic Information > App Credentials.");
    }
  } else {
    if (!appToken) {
      fail("SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-..., Slack app settings > Basic Information > App-Level Tokens, scope connections:write).");
    }
    if (!/^xapp-[\w-]+$/.test(appToken)) {
      fail(`SLACK_APP_TOKEN must be an app-level token starting with xapp- (it starts with "${appToken.slice(0, 5)}"). Create one under Slack app settings > Basic Information > App-Level Tokens.`);
    }
  }

  let port = pick("port");
  if (port === undefined && env.port !== undefined) {
    port = Number(env.port);
    if (!/^\d+$/.test(env.port) || port > 65535) fail(`PORT must be a port number from 0 to 65535 (got "${env.port}").`);
  }
  let apiUrl = pick("apiUrl");
  if (apiUrl === undefined && env.slackApiUrl !== undefined) {
    apiUrl = env.slackApiUrl;
    if (!/^https?:\/\/[^\s/]+/.test(apiUrl)) fail(`SLACK_API_URL must be an http(s) URL such as ${DEFAULT_SLACK_API_URL} (got "${apiUrl}").`);
  }
  apiUrl ??= DEFAULT_SLACK_API_URL;

  return {
    mode,
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    port: port ?? 3000,
    path: pick("path") ?? "/slack/events",
    apiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    command: pick("command") ?? "/ask",
    commandReply: pick("commandReply") ?? "ephemeral",
    defaultMode: pick("defaultMode") ?? "mention",
    channels: new Map([...(file.channels ?? []), ...(explicit.channels ?? [])].map((c) => [c.channel, c.mode])),
    handoff: { ...file.handoff, ...explicit.handoff },
    updateIntervalMs: pick("updateIntervalMs") ?? 1000,
    maxSources: pick("maxSources") ?? 4,
  };
}

function fail(message: string): never {
  throw new LlamadeskError("CHANNEL_CONFIG_INVALID", message);
}

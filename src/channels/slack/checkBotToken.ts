import { WebClient, type WebClientOptions } from "@slack/web-api";
import { LlamadeskError } from "../../errors.js";
import type { SlackSettings } from "./slackConfig.js";

/** Who the bot is in Slack, from `auth.test`. */
export interface SlackBotIdentity {
  botUserId: string;
  botId: string;
  botName: string;
  team: string;
}

/** Slack's answers that mean the token itself is wrong (not the network). */
const REJECTED = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "user_removed_from_team", "team_disabled", "not_allowed_token_type"]);

/**
 * Calls `auth.test` with the bot token before anything connects: a token Slack rejects is `CHANNEL_AUTH_FAILED`
 * naming SLACK_BOT_TOKEN; an unreachable Web API is `CHANNEL_START_FAILED` naming SLACK_API_URL.
 */
export async function checkBotToken(settings: SlackSettings, clientOptions: WebClientOptions): Promise<SlackBotIdentity> {
  const client = new WebClient(settings.botToken, { ...clientOptions, retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 } });
  let result: Awaited<ReturnType<WebClient["auth"]["test"]>>;
  try {
    result = await client.auth.test();
  } catch (error) {
    throw startFailure(error, settings, "SLACK_BOT_TOKEN");
  }
  if (!result.user_id || !result.bot_id) {
    throw new LlamadeskError("CHANNEL_AUTH_FAILED", "SLACK_BOT_TOKEN is not a bot token (auth.test names no bot). Use the Bot User OAuth Token (xoxb-...) from Slack app settings > OAuth & Permissions.");
  }
  return { botUserId: result.user_id, botId: result.bot_id, botName: result.user ?? "bot", team: result.team ?? "workspace" };
}

/**
 * A start-up failure as a coded error that says which setting to look at. Never includes a token. `token` is
 * the variable whose token the failed call used: the bot token for auth.test, the app token when Socket Mode connects.
 */
export function startFailure(error: unknown, settings: SlackSettings, token: "SLACK_BOT_TOKEN" | "SLACK_APP_TOKEN"): LlamadeskError {
  const e = error as { code?: string; data?: { error?: string }; message?: string; original?: { message?: string } };
  const slackError = e?.data?.error;
  if (slackError && REJECTED.has(slackError)) {
    return new LlamadeskError(
      "CHANNEL_AUTH_FAILED",
      `Slack rejected ${token} (${slackError}). Check that it is the current token of this app (Slack app settings > ${token === "SLACK_APP_TOKEN" ? "Basic Information > App-Level Tokens" : "OAuth & Permissions"}) and that the app is installed in the workspace.`,
      { cause: error },
    );
  }
  if (slackError) return new LlamadeskError("CHANNEL_START_FAILED", `Slack refused to start the bot (${slackError}). See README, "Slack", for the app's scopes and settings.`, { cause: error });
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE" || code === "EACCES") {
    return new LlamadeskError("CHANNEL_START_FAILED", `Cannot listen on port ${settings.port} (${code}). Pick another with --port, PORT or the config file's slack.port.`, { cause: error });
  }
  const reason = e?.original?.message ?? e?.message ?? String(error);
  return new LlamadeskError("CHANNEL_START_FAILED", `Cannot reach the Slack Web API at ${settings.apiUrl}: ${reason}. Check the network and SLACK_API_URL.`, { cause: error });
}

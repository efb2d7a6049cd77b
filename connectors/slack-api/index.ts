import { z } from "zod";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { SlackApiConnector } from "./SlackApiConnector.js";

export { SlackApiConnector, type SlackApiConnectorOptions } from "./SlackApiConnector.js";
export { readSlackApiState, type SlackApiState, type SlackChannelState } from "./SlackApiState.js";
export { SlackWebApi, type SlackWebApiOptions } from "./SlackWebApi.js";

const options = z
  .object({
    channels: z.array(z.string().trim().regex(/^[CGD][A-Z0-9]+$/, "must be a channel id like C0123ABCD (right-click the channel, Copy link)")).min(1),
    /** Environment variable holding the bot token; SLACK_BOT_TOKEN when absent. */
    tokenEnv: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable, e.g. SLACK_BOT_TOKEN (not the token itself)").optional(),
    supportUsers: z.array(z.string().trim().min(1)).min(1).optional(),
    apiUrl: z.string().url().optional(),
    baseUrl: z.string().trim().min(1).optional(),
    lookbackDays: z.number().int().min(0).max(365).optional(),
  })
  .strict();

export type SlackApiSourceOptions = z.infer<typeof options>;

/**
 * `{ "connector": "slack-api", "channels": ["C0123ABCD"], "tokenEnv": "SLACK_BOT_TOKEN", "supportUsers"?: [...], "lookbackDays"?: 14, "apiUrl"?: "...", "baseUrl"?: "..." }`
 * in the config file's `sources`; the token is read from the named environment variable.
 */
export const definition: ConnectorDefinition<SlackApiSourceOptions> = {
  name: "slack-api",
  options,
  create: ({ tokenEnv = "SLACK_BOT_TOKEN", ...rest }, context) => {
    const token = context.env(tokenEnv);
    if (!token) {
      throw new LlamadeskError("SOURCE_CONFIG_INVALID", `slack-api: the environment variable ${tokenEnv} is not set: set it to the Slack bot token (xoxb-...), or name another variable with "tokenEnv"`);
    }
    return new SlackApiConnector({ ...rest, token, tokenName: tokenEnv });
  },
};

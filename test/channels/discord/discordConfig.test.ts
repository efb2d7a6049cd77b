import { describe, expect, test } from "vitest";
import { resolveDiscordConfig } from "../../../src/channels/discord/discordConfig.js";
import { isLlamadeskError } from "../../../src/errors.js";

const APP = "123456789012345678";
const CHANNEL_A = "223456789012345678";
const CHANNEL_B = "323456789012345678";
const env = { DISCORD_TOKEN: "secret-token-value", DISCORD_APPLICATION_ID: APP };

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(isLlamadeskError(error, "CHANNEL_CONFIG_INVALID")).toBe(true);
    return error as Error;
  }
  throw new Error("expected CHANNEL_CONFIG_INVALID");
}

describe("resolveDiscordConfig", () => {
  test("from the environment alone, with the defaults", () => {
    expect(resolveDiscordConfig(undefined, { env: { ...env, DISCORD_CHANNELS: ` ${CHANNEL_A}, ${CHANNEL_B} ,`, DISCORD_API_URL: "http://127.0.0.1:9/api/" } })).toEqual({
      token: "secret-token-value",
      applicationId: APP,
      channels: [CHANNEL_A, CHANNEL_B],
      apiUrl: "http://127.0.0.1:9/api",
      messageContent: true,
      forumTags: { answered: "answered by bot", needsHuman: "needs human" },
      threadArchiveMinutes: 1440,
      editIntervalMs: 1000,
    });
  });

  test("no DISCORD_CHANNELS: every channel (no list)", () => {
    expect(resolveDiscordConfig({}, { env }).channels).toBeUndefined();
  });

  test("the config file wins over the environment; the token comes from the variable tokenEnv names", () => {
    const config = resolveDiscordConfig(
      { tokenEnv: "SUPPORT_DISCORD_TOKEN", applicationId: "923456789012345678", channels: [CHANNEL_B], supportRoleId: CHANNEL_A, messageContent: false, forumTags: { answered: "solved" } },
      { env: { ...env, SUPPORT_DISCORD_TOKEN: "other-token", DISCORD_CHANNELS: CHANNEL_A } },
    );
    expect(config).toMatchObject({ token: "other-token", applicationId: "923456789012345678", channels: [CHANNEL_B], supportRoleId: CHANNEL_A, messageContent: false });
    expect(config.forumTags).toEqual({ answered: "solved", needsHuman: "needs human" });
  });

  test("a missing token or application id is named, before anything connects", () => {
    expect(failure(() => resolveDiscordConfig({}, { env: { DISCORD_APPLICATION_ID: APP } })).message).toMatch(/^DISCORD_TOKEN is not set/);
    expect(failure(() => resolveDiscordConfig({ tokenEnv: "MY_TOKEN" }, { env })).message).toMatch(/^MY_TOKEN is not set/);
    expect(failure(() => resolveDiscordConfig({}, { env: { DISCORD_TOKEN: "t" } })).message).toMatch(/^DISCORD_APPLICATION_ID is not set/);
  });

  test("wrong fields are named with the file; the token is never echoed", () => {
    const file = "/srv/bot/llamadesk.config.json";
    expect(failure(() => resolveDiscordConfig({ channels: ["general"] }, { env, configPath: file })).message).toMatch(
      /^\/srv\/bot\/llamadesk\.config\.json: discord\.channels\.0: must be a Discord id/,
    );
    expect(failure(() => resolveDiscordConfig({ editIntervalMs: 10 }, { env, configPath: file })).message).toMatch(/discord\.editIntervalMs: /);
    expect(failure(() => resolveDiscordConfig({ chanels: [] }, { env, configPath: file })).message).toMatch(/discord\.chanels: Unrecognized key/);
    const inFile = failure(() => resolveDiscordConfig({ token: "secret-token-value" }, { env, configPath: file })).message;
    expect(inFile).toMatch(/discord\.token: keep the bot token out of the config file/);
    expect(inFile).not.toContain("secret-token-value");
  });

  test("bad environment values are named", () => {
    expect(failure(() => resolveDiscordConfig({}, { env: { ...env, DISCORD_CHANNELS: `${CHANNEL_A},#general` } })).message).toMatch(/^DISCORD_CHANNELS: "#general" is not a channel id/);
    expect(failure(() => resolveDiscordConfig({}, { env: { ...env, DISCORD_API_URL: "127.0.0.1:8080" } })).message).toMatch(/^DISCORD_API_URL: /);
    expect(failure(() => resolveDiscordConfig({}, { env: { ...env, DISCORD_APPLICATION_ID: "my-app" } })).message).toMatch(/^DISCORD_APPLICATION_ID: "my-app" is not a Discord id/);
  });
});

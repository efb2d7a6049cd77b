import { createServer, type Server } from "node:net";
import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../../../src/bot.js";
import { parseSlackConfig, resolveSlackSettings } from "../../../src/channels/slack/slackConfig.js";
import { SlackChannel, type SlackChannelOptions } from "../../../src/channels/slack/SlackChannel.js";
import { loadPrompts } from "../../../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../../../src/store/MemoryConversationStore.js";
import { faqIndex } from "../../support/botFixture.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET } from "./slackRequests.js";

const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected an error");
};

describe("Slack settings", () => {
  const env = { slackBotToken: BOT_TOKEN, slackSigningSecret: SIGNING_SECRET };

  it("names the missing or malformed environment variable", () => {
    expect(failure(() => resolveSlackSettings({}, {}, {}))).toMatchObject({ code: "CHANNEL_CONFIG_INVALID", message: expect.stringMatching(/^SLACK_BOT_TOKEN is not set/) });
    const userToken = failure(() => resolveSlackSettings({}, {}, { ...env, slackBotToken: "xoxp-123-secretpart" }));
    expect(userToken.message).toMatch(/^SLACK_BOT_TOKEN must be a bot token starting with xoxb- \(it starts with "xoxp-"\)/);
    expect(userToken.message).not.toContain("secretpart");
    expect(failure(() => resolveSlackSettings({}, {}, { slackBotToken: BOT_TOKEN })).message).toMatch(/^SLACK_SIGNING_SECRET is not set: HTTP mode needs it/);
    expect(failure(() => resolveSlackSettings({}, {}, { ...env, slackSigningSecret: "not a secret!" })).message).toMatch(/^SLACK_SIGNING_SECRET does not look like/);
    expect(failure(() => resolveSlackSettings({ mode: "socket" }, {}, env)).message).toMatch(/^SLACK_APP_TOKEN is not set: Socket Mode needs/);
    expect(failure(() => resolveSlackSettings({ mode: "socket" }, {}, { ...env, slackAppToken: "xoxb-wrong" })).message).toMatch(/^SLACK_APP_TOKEN must be an app-level token starting with xapp-/);
    expect(failure(() => resolveSlackSettings({}, {}, { ...env, port: "80a" })).message).toBe('PORT must be a port number from 0 to 65535 (got "80a").');
    expect(failure(() => resolveSlackSettings({}, {}, { ...env, slackApiUrl: "slack.internal/api" })).message).toMatch(/^SLACK_API_URL must be an http\(s\) URL/);
  });

  it("names the config file field that is wrong, and keeps credentials out of it", () => {
    const where = "/srv/bot/llamadesk.config.json: slack";
    expect(failure(() => parseSlackConfig({ channels: [{ channel: "C0SUPPORT", mode: "always" }] }, where)).message).toMatch(
      /^\/srv\/bot\/llamadesk\.config\.json: slack: channels\.0\.mode: Invalid enum value/,
    );
    expect(failure(() => parseSlackConfig({ handoff: { channel: "#support" } }, where)).message).toMatch(/slack: handoff\.channel: must be a Slack channel id/);
    expect(failure(() => parseSlackConfig({ botToken: "xoxb-1" }, where)).message).toBe(
      `${where}: botToken: credentials stay out of config files: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET or SLACK_APP_TOKEN in the environment instead.`,
    );
    expect(failure(() => parseSlackConfig({ prot: 3000 }, where)).message).toMatch(/slack: prot: unknown field; the fields are mode, port/);
  });

  it("takes explicit settings over the config file over the environment, and picks the mode from the tokens", () => {
    const settings = resolveSlackSettings({ port: 4000 }, { port: 5000, commandReply: "public", channels: [{ channel: "C1", mode: "all" }] }, { ...env, port: "6000", slackApiUrl: "http://proxy.test/api" });
    expect(settings).toMatchObject({ mode: "http", port: 4000, commandReply: "public", apiUrl: "http://proxy.test/api/", command: "/ask", defaultMode: "mention", updateIntervalMs: 1000 });
    expect(settings.channels.get("C1")).toBe("all");
    expect(resolveSlackSettings({}, {}, { slackBotToken: BOT_TOKEN, slackAppToken: APP_TOKEN }).mode).toBe("socket");
    expect(resolveSlackSettings({}, {}, { ...env, slackAppToken: APP_TOKEN }).mode).toBe("http");
    expect(resolveSlackSettings({}, {}, env).apiUrl).toBe("https://slack.com/api/");
  });
});

describe("Slack channel start-up failures", () => {
  let fake: FakeSlack;
  let bot: Bot;
  let busy: Server;
  const channelWith = (options: SlackChannelOptions) => new SlackChannel({ logLevel: LogLevel.ERROR, retryConfig: { retries: 0 }, ...options });

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    const { knowledge, embedder } = await faqIndex();
    bot = createBot({ knowledge, embedder, store: new MemoryConversationStore(), prompts: await loadPrompts() });
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve));
  });

  afterAll(async () => {
    await bot?.dispose();
    await fake?.stop();
    await new Promise((resolve) => busy?.close(resolve));
  });

  it("rejects a bad configuration before connecting to anything", async () => {
    const calls = fake.calls.length;
    await expect(channelWith({ env: { slackBotToken: BOT_TOKEN, slackApiUrl: fake.apiUrl } }).start(bot)).rejects.toMatchObject({
      code: "CHANNEL_CONFIG_INVALID",
      message: expect.stringContaining("SLACK_SIGNING_SECRET"),
    });
    expect(fake.calls.length).toBe(calls);
  });

  it("a bot token Slack rejects is CHANNEL_AUTH_FAILED naming SLACK_BOT_TOKEN, and nothing listens", async () => {
    const wrong = "xoxb-9999-revoked-token";
    const channel = channelWith({ port: 0, env: { slackBotToken: wrong, slackSigningSecret: SIGNING_SECRET, slackApiUrl: fake.apiUrl } });
    const error = (await channel.start(bot).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error).toMatchObject({ code: "CHANNEL_AUTH_FAILED", message: expect.stringMatching(/^Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/) });
    expect(error.message).not.toContain(wrong);
    expect(fake.calls.at(-1)).toMatchObject({ method: "auth.test", token: wrong });
    expect(channel.port).toBeUndefined();
  });

  it("an app token Slack rejects is CHANNEL_AUTH_FAILED naming SLACK_APP_TOKEN", async () => {
    const channel = channelWith({ env: { slackBotToken: BOT_TOKEN, slackAppToken: "xapp-1-A0-revoked", slackApiUrl: fake.apiUrl } });
    await expect(channel.start(bot)).rejects.toMatchObject({ code: "CHANNEL_AUTH_FAILED", message: expect.stringMatching(/^Slack rejected SLACK_APP_TOKEN \(invalid_auth\)/) });
    expect(fake.callsOf("apps.connections.open").at(-1)?.token).toBe("xapp-1-A0-revoked");
    expect(fake.socketConnections).toBe(0);
  });

  it("an unreachable Web API is CHANNEL_START_FAILED naming SLACK_API_URL", async () => {
    const channel = channelWith({ env: { slackBotToken: BOT_TOKEN, slackSigningSecret: SIGNING_SECRET, slackApiUrl: "http://127.0.0.1:9/api/" } });
    await expect(channel.start(bot)).rejects.toMatchObject({ code: "CHANNEL_START_FAILED", message: expect.stringMatching(/^Cannot reach the Slack Web API at http:\/\/127\.0\.0\.1:9\/api\/: .*SLACK_API_URL/) });
  });

  it("a port in use is CHANNEL_START_FAILED naming the port settings", async () => {
    const port = (busy.address() as { port: number }).port;
    const channel = channelWith({ port, env: { slackBotToken: BOT_TOKEN, slackSigningSecret: SIGNING_SECRET, slackApiUrl: fake.apiUrl } });
    await expect(channel.start(bot)).rejects.toMatchObject({ code: "CHANNEL_START_FAILED", message: `Cannot listen on port ${port} (EADDRINUSE). Pick another with --port, PORT or the config file's slack.port.` });
    await channel.stop();
  });
});

import { afterAll, beforeAll } from "vitest";
import { DiscordChannel } from "../../src/channels/discord/DiscordChannel.js";
import { resolveDiscordConfig } from "../../src/channels/discord/discordConfig.js";
import { FakeDiscord, snowflake } from "./fakeDiscord.js";
import { startLocalBot, type LocalBot, type LocalBotOptions } from "./localBot.js";

export interface DiscordOverLocalBot {
  /** The #general channel the bot answers in. */
  readonly general: string;
  readonly local: LocalBot;
  readonly fake: FakeDiscord;
}

/**
 * For a test file: the real discord.js client against the fake Discord, answering in #general for a real local
 * bot (generative, 48 tokens) whose model is `model`. Started before the file's tests, stopped after them.
 */
export function useDiscordOverLocalBot(model: LocalBotOptions["model"]): DiscordOverLocalBot {
  const general = snowflake();
  let local: LocalBot | undefined;
  let fake: FakeDiscord | undefined;
  let channel: DiscordChannel | undefined;
  beforeAll(async () => {
    local = await startLocalBot({ model, policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 48 } } });
    fake = await FakeDiscord.start({ channels: [{ id: general, type: 0, name: "general" }] });
    const config = resolveDiscordConfig(
      { editIntervalMs: 250 },
      { env: { DISCORD_TOKEN: "fake-token", DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_CHANNELS: general, DISCORD_API_URL: fake.apiUrl } },
    );
    channel = new DiscordChannel(config);
    await channel.start(local.bot);
  }, 120_000);
  afterAll(async () => {
    await channel?.stop();
    await fake?.close();
    await local?.dispose();
  });
  return {
    general,
    get local() {
      return local!;
    },
    get fake() {
      return fake!;
    },
  };
}

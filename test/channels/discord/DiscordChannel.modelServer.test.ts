import { afterAll, beforeAll, expect, test } from "vitest";
import { DiscordChannel } from "../../../src/channels/discord/DiscordChannel.js";
import { resolveDiscordConfig } from "../../../src/channels/discord/discordConfig.js";
import { FakeDiscord, snowflake } from "../../support/fakeDiscord.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";

// The real discord.js client and the real bot, whose chat model is on an OpenAI-compatible server (a loopback one
// generating with the tiny Llama 2 GGUF through llama.cpp): the answer is streamed over the wire, then into Discord.

const general = snowflake();
let local: LocalBot;
let fake: FakeDiscord;
let channel: DiscordChannel;

beforeAll(async () => {
  local = await startLocalBot({ model: "server", policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 48 } } });
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

test("a mention is answered by the model server, streamed into the thread by edits, with sources and buttons", async () => {
  const user = { id: snowflake(), username: "alice" };
  const question = fake.postMessage({ channelId: general, author: user, content: `<@${fake.botUser.id}> How do I stop Tidepool from using all my bandwidth?` });
  const threadId = question.id;
  const answer = await fake.waitFor(() => fake.messagesIn(threadId).find((m) => m.author.id === fake.botUser.id && m.components.length > 0), 60_000, "the answer");

  const posts = fake.callsTo("POST", new RegExp(`^/channels/${threadId}/messages$`));
  const edits = fake.callsTo("PATCH", new RegExp(`^/channels/${threadId}/messages/${answer.id}$`));
  expect(posts).toHaveLength(1);
  expect(edits.length).toBeGreaterThanOrEqual(1);
  expect(edits.at(-1)!.body.embeds[0].title).toBe("Sources");

  // One streamed completion on the server, with the pipeline's prompt: the passages in the system message, the question last.
  const [request] = local.modelServer!.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(request!.body).toMatchObject({ stream: true, max_tokens: 48 });
  const messages = request!.body!.messages as { role: string; content: string }[];
  expect(messages[0]!.role).toBe("system");
  expect(messages.at(-1)!.content).toContain("bandwidth");

  const turns = await local.bot.history(`discord:${threadId}`);
  expect(turns.map((t) => [t.role, t.outcome, t.mode])).toEqual([
    ["user", undefined, undefined],
    ["assistant", "answered", "generative"],
  ]);
  expect(answer.content).toBe(turns[1]!.text.trim());
});

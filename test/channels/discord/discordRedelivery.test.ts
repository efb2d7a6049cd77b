import { afterAll, beforeAll, expect, test } from "vitest";
import type { Bot } from "../../../src/bot.js";
import { DiscordChannel } from "../../../src/channels/discord/DiscordChannel.js";
import { resolveDiscordConfig, type DiscordConfig } from "../../../src/channels/discord/discordConfig.js";
import { FakeDiscord, snowflake, type FakeUser } from "../../support/fakeDiscord.js";
import { RESET_ANSWER, RESET_QUESTION, storeFileBots, type StoreFileBots } from "../../support/storeFileBots.js";

// The real discord.js client against the local fake Discord, answering through bots on one SQLite conversation
// store file: a restart is a new channel on a new bot that opens the file anew. Discord re-sends gateway events
// after a resume or reconnect with their ids unchanged; the test replays exactly what the fake dispatched.
const general = snowflake();
const forum = snowflake();
const alice: FakeUser = { id: snowflake(), username: "alice" };

let fake: FakeDiscord;
let bots: StoreFileBots;
let bot: Bot;
let channel: DiscordChannel;
let config: DiscordConfig;
const dispatched: { t: string; d: any }[] = [];

async function start(): Promise<void> {
  bot = await bots.start();
  channel = new DiscordChannel({ ...config, log: () => undefined });
  await channel.start(bot);
}

beforeAll(async () => {
  bots = await storeFileBots();
  fake = await FakeDiscord.start({
    channels: [
      { id: general, type: 0, name: "general" },
      { id: forum, type: 15, name: "help", available_tags: [] },
    ],
    heartbeatIntervalMs: 500,
  });
  const dispatch = fake.dispatch.bind(fake);
  fake.dispatch = (t, d) => {
    dispatched.push({ t, d });
    dispatch(t, d);
  };
  config = resolveDiscordConfig(
    { editIntervalMs: 250 },
    { env: { DISCORD_TOKEN: "fake-token", DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_CHANNELS: `${general},${forum}`, DISCORD_API_URL: fake.apiUrl } },
  );
  await start();
}, 60_000);

afterAll(async () => {
  await channel?.stop();
  await fake?.close();
  await bots?.dispose();
});

/** The bot's finished answers in a channel or thread: its messages with buttons or an embed. */
const answersIn = (channelId: string) => fake.messagesIn(channelId).filter((m) => m.author.id === fake.botUser.id && (m.components.length > 0 || m.embeds.length > 0));
const answered = (channelId: string, n = 1) => fake.waitFor(() => answersIn(channelId).length >= n && answersIn(channelId), 20_000, `answer ${n} in ${channelId}`);
const dispatchOf = (t: string, id: string) => dispatched.find((e) => e.t === t && e.d.id === id)!;

test("after a restart, a mention, a thread follow-up, a forum post and /ask that Discord sends again (same ids) are not answered again", async () => {
  const mention = fake.postMessage({ channelId: general, author: alice, content: `<@${fake.botUser.id}> ${RESET_QUESTION}` });
  const thread = mention.id; // the thread the bot opens on a message has the message's id
  expect((await answered(thread))[0].content).toBe(RESET_ANSWER);
  const followUp = fake.postMessage({ channelId: thread, author: alice, content: `Sorry, once more: ${RESET_QUESTION}` });
  await answered(thread, 2);
  const post = fake.forumPost({ forumId: forum, author: alice, title: "Locked out", content: RESET_QUESTION });
  await answered(post.thread.id);
  const ask = fake.slashAsk({ channelId: general, user: alice, question: RESET_QUESTION });
  await fake.waitFor(() => fake.callsTo("PATCH", new RegExp(`^/webhooks/${fake.applicationId}/${ask.token}/`)).find((c) => c.body.components?.length > 0), 20_000, "the /ask answer");

  // The process ends (channel and bot, whose store closes) and a new one starts on the same store file.
  await channel.stop();
  await bot.dispose();
  await start();
  const callsBefore = fake.calls.length;
  // (A forum post's THREAD_CREATE is dropped by discord.js itself, the thread being known from GUILD_CREATE; its
  // starter message is left to the post. Replayed anyway: what matters is that nothing is answered twice.)
  for (const event of [dispatchOf("MESSAGE_CREATE", mention.id), dispatchOf("MESSAGE_CREATE", followUp.id), dispatchOf("THREAD_CREATE", post.thread.id), dispatchOf("MESSAGE_CREATE", post.starter.id), dispatchOf("INTERACTION_CREATE", ask.id)]) {
    fake.dispatch(event.t, event.d);
  }

  // A new mention after the replays is answered: the restarted bot is answering, and had its chance at them.
  const fresh = fake.postMessage({ channelId: general, author: alice, content: `<@${fake.botUser.id}> ${RESET_QUESTION}` });
  await answered(fresh.id);
  const since = fake.calls.slice(callsBefore).filter((c) => c.method !== "GET");
  expect(since.filter((c) => !c.path.startsWith(`/channels/${fresh.id}/`) && c.path !== `/channels/${general}/messages/${fresh.id}/threads`)).toEqual([]);
  expect(answersIn(thread)).toHaveLength(2);
  expect(answersIn(post.thread.id)).toHaveLength(1);
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DiscordChannel } from "../../../src/channels/discord/DiscordChannel.js";
import { resolveDiscordConfig, type DiscordConfig } from "../../../src/channels/discord/discordConfig.js";
import { isLlamadeskError } from "../../../src/errors.js";
import { FakeDiscord, MESSAGE_CONTENT_INTENT, snowflake, type FakeUser } from "../../support/fakeDiscord.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";

// The real discord.js client against a local fake Discord, answering through the real bot
// (USE-lite, HNSW + BM25 over the sample FAQ, SQLite) with a FakeChatModel whose wording we choose.

const QUESTION = "How do I stop Tidepool from using all my bandwidth?";
const SHORT =
  "Open Preferences, then Network, and set an upload limit and a download limit [1]. Tidepool keeps to those limits on every network, " +
  "so video calls and games stay smooth while your files still sync in the background at a steady pace.";
const paragraph = (n: number) => `Step ${n}: open Preferences, choose Network, and lower the upload rate a little more each time until uploads stop slowing your calls down [1].`;
const LONG = [
  ...Array.from({ length: 7 }, (_, i) => paragraph(i + 1)),
  ["```bash", ...Array.from({ length: 16 }, (_, i) => `tidepool-cli config set network.upload_limit_kbps ${100 * (i + 1)}   # attempt ${i + 1}`), "```"].join("\n"),
  ...Array.from({ length: 5 }, (_, i) => paragraph(i + 8)),
].join("\n\n");

const SUPPORT_ROLE = snowflake();
const general = snowflake();
const random = snowflake();
const forum = snowflake();
const tagAnswered = snowflake();
const tagHuman = snowflake();
const tagBilling = snowflake();
const alice: FakeUser = { id: snowflake(), username: "alice" };
const bob: FakeUser = { id: snowflake(), username: "bob" };
const agent: FakeUser = { id: snowflake(), username: "agent" };
const otherBot: FakeUser = { id: snowflake(), username: "otherbot", bot: true };

let local: LocalBot;
let fake: FakeDiscord;
let channel: DiscordChannel;
let config: DiscordConfig;
const logs: string[] = [];

beforeAll(async () => {
  local = await startLocalBot({
    model: "fake",
    fake: { answers: (messages) => (/in detail/i.test(messages.at(-1)!.content) ? LONG : SHORT), delayMs: 10 },
    policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 2000 } },
  });
  fake = await FakeDiscord.start({
    channels: [
      { id: general, type: 0, name: "general" },
      { id: random, type: 0, name: "random" },
      {
        id: forum,
        type: 15,
        name: "help",
        available_tags: [
          { id: tagBilling, name: "billing", moderated: false, emoji_id: null, emoji_name: null },
          { id: tagAnswered, name: "Answered by bot", moderated: false, emoji_id: null, emoji_name: null },
          { id: tagHuman, name: "Needs Human", moderated: false, emoji_id: null, emoji_name: null },
        ],
      },
    ],
    roles: [{ id: SUPPORT_ROLE, name: "support" }],
    heartbeatIntervalMs: 500,
  });
  fake.setRoles(agent.id, [SUPPORT_ROLE]);
  config = resolveDiscordConfig(
    // Far longer than an answer takes: the first words at once, then no edit until the answer is finished.
    { supportRoleId: SUPPORT_ROLE, editIntervalMs: 60_000 },
    { env: { DISCORD_TOKEN: "fake-token", DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_CHANNELS: `${general}, ${forum}`, DISCORD_API_URL: fake.apiUrl } },
  );
  channel = new DiscordChannel({ ...config, log: (line) => logs.push(line) });
  await channel.start(local.bot);
}, 120_000);

afterAll(async () => {
  await channel?.stop();
  await fake?.close();
  await local?.dispose();
});

/** The bot's finished answer in a channel: its last message with buttons or an embed. */
function finishedAnswer(channelId: string, after = 0): Promise<any> {
  return fake.waitFor(
    () => fake.messagesIn(channelId).filter((m) => m.author.id === fake.botUser.id && (m.components.length > 0 || m.embeds.length > 0)).at(after),
    20_000,
    `a finished answer in ${channelId}`,
  );
}

/** Posts a mention in #general and waits for the thread the bot opens on it. */
async function askInGeneral(user: FakeUser, text: string): Promise<string> {
  const message = fake.postMessage({ channelId: general, author: user, content: `<@${fake.botUser.id}> ${text}` });
  await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/channels/${general}/messages/${message.id}/threads$`)).length > 0, 10_000, "the thread");
  return message.id; // a thread opened on a message has the message's id
}

function buttonIds(message: any): string[] {
  return message.components.flatMap((row: any) => row.components.map((c: any) => c.custom_id));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries an async assertion until it passes (or 10 s pass). */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let deadline = Date.now() + 10_000; ; await sleep(50)) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe("Discord channel on the real discord.js client", () => {
  test("connects through the real gateway handshake with the intents it needs, and acks heartbeats", async () => {
    const identify = fake.gatewayReceived.find((p) => p.op === 2)!;
    expect(identify.d.token).toBe("fake-token");
    const GUILDS = 1 << 0;
    const GUILD_MESSAGES = 1 << 9;
    const REACTIONS = 1 << 10;
    expect(identify.d.intents).toBe(GUILDS | GUILD_MESSAGES | REACTIONS | MESSAGE_CONTENT_INTENT);
    await fake.waitFor(() => fake.gatewayReceived.some((p) => p.op === 1), 5_000, "a heartbeat");
    expect(fake.callsTo("GET", /^\/gateway\/bot$/)).toHaveLength(1);
    expect(logs).toContain("connected as llamadesk in 1 server(s)");
  });

  test("a mention opens a thread on the message and streams the answer there, with sources and buttons", async () => {
    const threadId = await askInGeneral(alice, QUESTION);
    const created = fake.callsTo("POST", new RegExp(`/messages/${threadId}/threads$`))[0]!;
    expect(created.body).toMatchObject({ name: QUESTION, auto_archive_duration: 1440 });
    const answer = await finishedAnswer(threadId);

    const posts = fake.callsTo("POST", new RegExp(`^/channels/${threadId}/messages$`));
    const edits = fake.callsTo("PATCH", new RegExp(`^/channels/${threadId}/messages/${answer.id}$`));
    expect(posts).toHaveLength(1);
    // Streamed and throttled: posted with the first words at once, then, while the model wrote the rest, not edited
    // until the answer was finished (whatever the machine's speed; renderAnswer's tests cover the timing).
    expect(posts[0]!.body.content.length).toBeGreaterThan(0);
    expect(posts[0]!.body.content.length).toBeLessThan(SHORT.length);
    expect(SHORT.startsWith(posts[0]!.body.content)).toBe(true);
    expect(edits).toHaveLength(1);
    expect(edits[0]!.body.content).toBe(SHORT);
    expect(posts[0]!.body.allowed_mentions).toEqual({ parse: [] });

    expect(answer.content).toBe(SHORT);
    expect(answer.embeds[0].title).toBe("Sources");
    expect(answer.embeds[0].description).toMatch(/^\*\*\[1\]\*\* .+ · `sync-troubleshooting\.md:\d+`/);
    const turns = await local.bot.history(`discord:${threadId}`);
    expect(turns.map((t) => [t.role, t.outcome])).toEqual([
      ["user", undefined],
      ["assistant", "answered"],
    ]);
    expect(turns[0]!.text).toBe(QUESTION);
    expect(buttonIds(answer)).toEqual([`llamadesk:up:${turns[1]!.id}`, `llamadesk:down:${turns[1]!.id}`, `llamadesk:human:discord:${threadId}`]);
    expect((await local.store.getConversation(`discord:${threadId}`))).toMatchObject({ channel: "discord", user: alice.id });
  });

  test("a follow-up in the thread needs no mention and continues the conversation; the support team is not answered", async () => {
    const threadId = await askInGeneral(alice, QUESTION);
    await finishedAnswer(threadId);
    fake.postMessage({ channelId: threadId, author: agent, content: "I can take this one if needed." });
    fake.postMessage({ channelId: threadId, author: alice, content: "Does that limit apply on my phone too?" });
    await finishedAnswer(threadId, 1);
    const turns = await local.bot.history(`discord:${threadId}`);
    expect(turns.map((t) => t.text)).toEqual([QUESTION, SHORT, "Does that limit apply on my phone too?", SHORT]);
    // The model saw the earlier exchange.
    const lastCall = local.fake!.calls.at(-1)!;
    expect(lastCall.messages.map((m) => m.content).join("\n")).toContain(QUESTION);
  });

  test("/ask is deferred at once, then the reply is edited as the answer streams", async () => {
    const interaction = fake.slashAsk({ channelId: general, user: bob, question: QUESTION });
    const callback = await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/interactions/${interaction.id}/`))[0], 5_000, "the deferral");
    expect(callback.body.type).toBe(5);
    expect(callback.body.data?.flags ?? 0).toBe(0); // public: everyone in the channel sees the answer
    const original = new RegExp(`^/webhooks/${fake.applicationId}/${interaction.token}/messages/`);
    const final = await fake.waitFor(() => fake.callsTo("PATCH", original).find((c) => c.body.components?.length > 0), 20_000, "the final edit");
    const edits = fake.callsTo("PATCH", original);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.map((e) => e.status)).not.toContain(404);
    expect(edits[0]!.path.endsWith("/@original")).toBe(true);
    // Deferred before answering: the first edit of the deferred reply shows the first words, not the whole answer.
    expect(edits[0]!.body.content.length).toBeLessThan(SHORT.length);
    expect(final.body.content).toBe(SHORT);
    expect(final.body.embeds[0].title).toBe("Sources");
    // Outside a thread, each member has their own conversation in the channel.
    const turns = await local.bot.history(`discord:${general}:${bob.id}`);
    expect(turns.map((t) => t.role)).toEqual(["user", "assistant"]);
  });

  test("a forum post is answered in its own thread and tagged 'answered by bot'; an unanswerable one 'needs human'", async () => {
    const { thread } = fake.forumPost({ forumId: forum, author: alice, title: "Bandwidth", content: QUESTION });
    const answer = await finishedAnswer(thread.id);
    expect(answer.content).toBe(SHORT);
    const tagged = await fake.waitFor(() => fake.callsTo("PATCH", new RegExp(`^/channels/${thread.id}$`))[0], 5_000, "the tag");
    expect(tagged.body).toEqual({ applied_tags: [tagAnswered] });
    expect((await local.bot.history(`discord:${thread.id}`))[0]!.text).toBe(`Bandwidth\n\n${QUESTION}`);

    const unanswerable = fake.forumPost({ forumId: forum, author: bob, title: "Lunch", content: "What is the best soup recipe for a cold winter evening?" });
    const abstained = await finishedAnswer(unanswerable.thread.id);
    expect(abstained.content).toMatch(/couldn't find an answer/);
    expect(abstained.embeds[0].title).toBe("Closest matches");
    expect(buttonIds(abstained)).toContain(`llamadesk:human:discord:${unanswerable.thread.id}`);
    const needsHuman = await fake.waitFor(() => fake.callsTo("PATCH", new RegExp(`^/channels/${unanswerable.thread.id}$`))[0], 5_000, "the tag");
    expect(needsHuman.body).toEqual({ applied_tags: [tagHuman] });
  });

  test("an answer longer than 2,000 characters is split between messages, never mid-word or mid-code-block", async () => {
    const threadId = await askInGeneral(alice, `${QUESTION} Please explain in detail.`);
    const last = await finishedAnswer(threadId);
    const messages = fake.messagesIn(threadId).filter((m) => m.author.id === fake.botUser.id);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.at(-1)!.id).toBe(last.id);
    for (const m of messages) {
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect((m.content.match(/```/g) ?? []).length % 2).toBe(0);
    }
    for (const m of messages.slice(0, -1)) expect(m.components).toEqual([]);
    // Same words in the same order once the fences added at the cut are taken out again.
    const joined = messages.map((m) => m.content).join("\n").replace(/\n```\n```bash\n/g, "\n");
    expect(joined.split(/\s+/)).toEqual(LONG.split(/\s+/));
  });

  test("👍 and 👎 are stored with the answer, one vote per user", async () => {
    const threadId = await askInGeneral(alice, QUESTION);
    const answer = await finishedAnswer(threadId);
    const [up, down] = buttonIds(answer);
    const turnId = up!.split(":")[2]!;
    const click = async (customId: string, user: FakeUser) => {
      const { id } = fake.clickButton({ message: answer, customId, user });
      return fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/interactions/${id}/`))[0], 5_000, "the reply");
    };
    const reply = await click(up!, alice);
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(await local.store.feedback(turnId)).toEqual({ up: 1, down: 0 });
    await click(down!, alice); // changes alice's vote
    await click(up!, bob);
    expect(await local.store.feedback(turnId)).toEqual({ up: 1, down: 1 });
  });

  test("'Talk to a human' pings the support role and tags the post; the bot stays quiet until the team marks it resolved", async () => {
    const { thread } = fake.forumPost({ forumId: forum, author: alice, title: "Limits", content: QUESTION });
    const answer = await finishedAnswer(thread.id);
    const { id } = fake.clickButton({ message: answer, customId: buttonIds(answer)[2]!, user: alice });
    expect((await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/interactions/${id}/`))[0], 5_000, "the deferral")).body).toEqual({ type: 5, data: { flags: 64 } });

    const ping = await fake.waitFor(() => fake.messagesIn(thread.id).find((m) => m.content.includes(`<@&${SUPPORT_ROLE}>`)), 10_000, "the ping");
    const pingCall = fake.callsTo("POST", new RegExp(`^/channels/${thread.id}/messages$`)).find((c) => c.body.content === ping.content)!;
    expect(pingCall.body.allowed_mentions).toEqual({ parse: [], roles: [SUPPORT_ROLE] });
    expect(fake.messagesIn(thread.id).some((m) => m.content.includes("connecting you with a person"))).toBe(true);
    expect(buttonIds(ping)).toEqual([`llamadesk:resolved:discord:${thread.id}`]);
    await fake.waitFor(() => fake.channels.get(thread.id)!.applied_tags![0] === tagHuman, 5_000, "the needs-human tag");
    expect(fake.channels.get(thread.id)!.applied_tags).toEqual([tagHuman]);
    expect((await local.store.getConversation(`discord:${thread.id}`))!.status).toBe("handed-off");

    // Quiet: the message is kept for the team, nothing is posted.
    const before = fake.messagesIn(thread.id).length;
    const typing = fake.callsTo("POST", new RegExp(`^/channels/${thread.id}/typing$`)).length;
    fake.postMessage({ channelId: thread.id, author: alice, content: "Hello? Anyone there?" });
    await eventually(async () => expect((await local.bot.history(`discord:${thread.id}`)).at(-1)!.text).toBe("Hello? Anyone there?"));
    await sleep(500);
    expect(fake.messagesIn(thread.id)).toHaveLength(before + 1);
    expect(fake.callsTo("POST", new RegExp(`^/channels/${thread.id}/typing$`))).toHaveLength(typing); // not even "typing…"
    // /ask there: the "thinking…" reply is taken away, and only the asker is told why.
    const slash = fake.slashAsk({ channelId: thread.id, user: alice, question: "Still waiting" });
    const webhook = `/webhooks/${fake.applicationId}/${slash.token}`;
    const note = await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^${webhook}$`))[0], 5_000, "the note");
    expect(note.body).toMatchObject({ flags: 64, content: expect.stringMatching(/^A team member is looking after this conversation/) });
    expect(fake.callsTo("DELETE", new RegExp(`^${webhook}/messages/@original$`))).toHaveLength(1);
    expect(fake.callsTo("PATCH", new RegExp(`^${webhook}/messages/`))).toEqual([]);

    // Only the support team can give it back to the bot.
    const refused = fake.clickButton({ message: ping, customId: buttonIds(ping)[0]!, user: bob });
    const refusal = await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/interactions/${refused.id}/`))[0], 5_000, "the refusal");
    expect(refusal.body.data.content).toContain(`<@&${SUPPORT_ROLE}>`);
    expect((await local.store.getConversation(`discord:${thread.id}`))!.status).toBe("handed-off");
    const resolved = fake.clickButton({ message: ping, customId: buttonIds(ping)[0]!, user: agent });
    const update = await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/interactions/${resolved.id}/`))[0], 5_000, "the update");
    expect(update.body.type).toBe(7);
    expect(update.body.data.components).toEqual([]);
    expect(update.body.data.content).toContain(`Resolved by <@${agent.id}>`);
    expect((await local.store.getConversation(`discord:${thread.id}`))!.status).toBe("resolved");
    await fake.waitFor(() => fake.channels.get(thread.id)!.applied_tags!.length === 0, 5_000, "the tag removed");

    fake.postMessage({ channelId: thread.id, author: alice, content: QUESTION });
    const again = await fake.waitFor(() => fake.messagesIn(thread.id).filter((m) => m.author.id === fake.botUser.id && m.embeds.length > 0).at(1), 20_000, "an answer again");
    expect(again.content).toBe(SHORT);
  });

  test("asking for a human in words hands off too, and a ✅ from the support team resolves it", async () => {
    const threadId = await askInGeneral(alice, QUESTION);
    await finishedAnswer(threadId);
    fake.postMessage({ channelId: threadId, author: alice, content: "Can I talk to a human please?" });
    const ping = await fake.waitFor(() => fake.messagesIn(threadId).find((m) => m.content.includes(`<@&${SUPPORT_ROLE}>`)), 10_000, "the ping");
    fake.react({ message: ping, user: bob, emoji: "✅" }); // not support: ignored
    fake.react({ message: ping, user: agent, emoji: "👍" }); // not ✅: ignored
    await sleep(300);
    expect((await local.store.getConversation(`discord:${threadId}`))!.status).toBe("handed-off");
    fake.react({ message: ping, user: agent, emoji: "✅" });
    await fake.waitFor(() => fake.messagesIn(threadId).find((m) => m.content.startsWith("✅ Resolved by")), 5_000, "the confirmation");
    expect((await local.store.getConversation(`discord:${threadId}`))!.status).toBe("resolved");
  });

  test("a 429 with retry_after on an edit is waited out, and the answer still completes", async () => {
    const logged = logs.length;
    fake.rateLimitNext((call) => call.method === "PATCH" && /^\/channels\/\d+\/messages\/\d+$/.test(call.path), 0.6);
    const threadId = await askInGeneral(bob, QUESTION);
    const answer = await finishedAnswer(threadId);
    const edits = fake.callsTo("PATCH", new RegExp(`^/channels/${threadId}/messages/${answer.id}$`));
    const limited = edits.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect(edits[limited + 1]!.at - edits[limited]!.at).toBeGreaterThanOrEqual(550);
    expect(answer.content).toBe(SHORT);
    expect(answer.embeds[0].title).toBe("Sources");
    expect(logs.slice(logged).some((l) => /rate limited on PATCH/.test(l))).toBe(true);
  });

  test("messages from bots, channels not configured and messages without a mention are ignored", async () => {
    const callsBefore = fake.calls.length;
    fake.postMessage({ channelId: general, author: otherBot, content: `<@${fake.botUser.id}> ${QUESTION}` });
    fake.postMessage({ channelId: random, author: alice, content: `<@${fake.botUser.id}> ${QUESTION}` });
    fake.postMessage({ channelId: general, author: alice, content: QUESTION });
    const slash = fake.slashAsk({ channelId: random, user: alice, question: QUESTION });
    const refusal = await fake.waitFor(() => fake.callsTo("POST", new RegExp(`^/interactions/${slash.id}/`))[0], 5_000, "the refusal");
    expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64, content: `I answer questions in <#${general}>, <#${forum}>.` } });
    await sleep(800);
    const since = fake.calls.slice(callsBefore).filter((c) => !c.path.startsWith("/interactions/"));
    expect(since).toEqual([]);
  });

  test("stop() cancels an answer in progress, says so in its message, and disconnects", async () => {
    const second = new DiscordChannel({ ...config, log: () => undefined });
    try {
      await second.start(local.bot); // a second connection beside the first: both get the mention
      expect(fake.gatewayReceived.filter((p) => p.op === 2).length).toBeGreaterThanOrEqual(2);
      await channel.stop(); // the first one stops here; the long answer below is the second's
      const threadId = await askInGeneral(alice, `${QUESTION} Please explain in detail.`);
      await fake.waitFor(() => fake.messagesIn(threadId).find((m) => m.author.id === fake.botUser.id), 20_000, "the first words");
      const calls = local.fake!.calls.length;
      await second.stop();
      // Stopped, not finished: the model's generation was cancelled (the long answer would take ~5 s more), and the message says so.
      expect(local.fake!.stopReasons[calls - 1]).toBe("abort");
      const messages = fake.messagesIn(threadId).filter((m) => m.author.id === fake.botUser.id);
      expect(messages.at(-1)!.content).toMatch(/^I stopped before finishing this answer/);
      expect(second.discordClient).toBeUndefined();
    } finally {
      await second.stop();
    }
  });
});

describe("starting", () => {
  test("Message Content intent not allowed: start fails with a coded error that says how to fix it", async () => {
    const strict = await FakeDiscord.start({ channels: [{ id: general, type: 0, name: "general" }], disallowedIntents: MESSAGE_CONTENT_INTENT });
    const bad = new DiscordChannel({ ...config, apiUrl: strict.apiUrl });
    try {
      const error = await bad.start(local.bot).then(() => undefined, (e: unknown) => e);
      expect(isLlamadeskError(error, "CHANNEL_START_FAILED")).toBe(true);
      expect((error as Error).message).toMatch(/Message Content intent \(close code 4014/);
      expect((error as Error).message).toMatch(/"messageContent": false/);
      expect(bad.discordClient).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  test("without the Message Content intent (messageContent: false) it still answers mentions, and says nothing to unmentioned follow-ups", async () => {
    const strict = await FakeDiscord.start({ channels: [{ id: general, type: 0, name: "general" }], disallowedIntents: MESSAGE_CONTENT_INTENT });
    const mentionsOnly = new DiscordChannel({ ...config, apiUrl: strict.apiUrl, channels: [general], messageContent: false });
    try {
      await mentionsOnly.start(local.bot);
      expect(strict.intents & MESSAGE_CONTENT_INTENT).toBe(0);
      const message = strict.postMessage({ channelId: general, author: alice, content: `<@${strict.botUser.id}> ${QUESTION}` });
      await strict.waitFor(() => strict.messagesIn(message.id).find((m) => m.components.length > 0), 20_000, "the answer");
      strict.postMessage({ channelId: message.id, author: alice, content: "Thanks, and on my phone?" });
      await sleep(800);
      expect(await local.bot.history(`discord:${message.id}`)).toHaveLength(2);
    } finally {
      await mentionsOnly.stop();
      await strict.close();
    }
  });

  test("Discord ending the session for good after start (token reset: 4004) is reported through onFatalError", async () => {
    const other = await FakeDiscord.start({ channels: [{ id: general, type: 0, name: "general" }] });
    let fatal: Error | undefined;
    const running = new DiscordChannel({ ...config, apiUrl: other.apiUrl, onFatalError: (error) => (fatal = error) });
    try {
      await running.start(local.bot);
      other.closeGateway(4004, "Authentication failed.");
      await other.waitFor(() => fatal, 5_000, "the fatal error");
      expect(isLlamadeskError(fatal, "CHANNEL_START_FAILED")).toBe(true);
      expect(fatal!.message).toMatch(/close code 4004/);
    } finally {
      await running.stop();
      await other.close();
    }
  });

  test("a token Discord refuses: CHANNEL_AUTH_FAILED before any gateway connection", async () => {
    const bad = new DiscordChannel({ ...config, token: "wrong-token" });
    const before = fake.gatewayReceived.filter((p) => p.op === 2).length;
    const error = await bad.start(local.bot).then(() => undefined, (e: unknown) => e);
    expect(isLlamadeskError(error, "CHANNEL_AUTH_FAILED")).toBe(true);
    expect((error as Error).message).not.toContain("wrong-token");
    expect(fake.gatewayReceived.filter((p) => p.op === 2)).toHaveLength(before);
  });
});

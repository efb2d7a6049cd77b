import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackChannel } from "../../../src/channels/slack/SlackChannel.js";
import { FakeSlack, type FakeMessage, type FakeSlackCall } from "../../support/fakeSlack.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";
import {
  appMention,
  blockAction,
  BOT_TOKEN,
  BOT_USER,
  interaction,
  messageEvent,
  postToSlackEndpoint,
  reactionAdded,
  SIGNING_SECRET,
  slashCommand,
} from "./slackRequests.js";

// The real Bolt App (HTTPReceiver, signature checks, listeners, WebClient with retries) against a local fake of
// Slack's Web API, answering through the real bot (USE-lite, HNSW + BM25 over the sample FAQ, SQLite) with a
// scripted chat model so the wording can be checked.
const SUPPORT = "C0SUPPORT";
const ALL = "C0ANSWERALL";
const IGNORED = "C0RANDOM";
const ESCALATION = "C0ESCALATE";
const AGENTS = "S0AGENTS";
const CUSTOMER = "U0CUSTOMER";
const AGENT = "U0AGENT";
const QUESTION = "How do I stop Tidepool from using all my bandwidth?";
const ANSWER = "Open **Settings > Network** and set an upload limit [1]. See [the guide](https://help.tidepool.test/bandwidth) & <enjoy>.";

describe("Slack channel over HTTP (Events API)", () => {
  let fake: FakeSlack;
  let local: LocalBot;
  let channel: SlackChannel;
  let url: string;
  const post = (body: Parameters<typeof postToSlackEndpoint>[1], options?: Parameters<typeof postToSlackEndpoint>[2]) => postToSlackEndpoint(url, body, options);
  /** Calls made after `from` (an index into fake.calls), for one message's thread. */
  const inThread = (threadTs: string) => (c: FakeSlackCall) => c.params.thread_ts === threadTs;
  /** The final form of a message the bot posted: found by its ts in the fake's workspace. */
  const messageAt = (ts: string) => fake.messages.find((m) => m.ts === ts);
  /** The bot's first message in a thread (its placeholder, later its answer). */
  const botMessageIn = (threadTs: string) => fake.waitFor(() => fake.messages.find((m) => m.thread_ts === threadTs && m.user === BOT_USER), 20_000, `a reply in ${threadTs}`);
  const finalOf = (ts: string) => fake.waitFor(() => messageAt(ts)?.blocks?.some((b: any) => b.type === "actions") && messageAt(ts), 20_000, `the final answer in ${ts}`);

  /** A customer @mentions the bot in #support; resolves with the thread's ts once the message is sent. */
  const mention = async (): Promise<string> => {
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}` });
    await post({ json: appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}`, ts }) });
    return ts;
  };
  /** A mention, answered: the thread's ts and the final answer message. */
  const mentionAnswered = async () => {
    const ts = await mention();
    return { ts, answer: await finalOf((await botMessageIn(ts)).ts) };
  };
  /** Someone presses button `index` under the answer in thread `ts`. */
  const press = (answer: FakeMessage, ts: string, index: number, user = CUSTOMER) => {
    const button = answer.blocks!.find((b: any) => b.type === "actions").elements[index];
    return post(interaction(blockAction({ actionId: button.action_id, value: button.value, user, channel: SUPPORT, message: { ts: answer.ts, thread_ts: ts } })));
  };

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN });
    local = await startLocalBot({
      model: "fake",
      fake: { answers: [ANSWER], delayMs: 25 },
      policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 64 } },
    });
    channel = new SlackChannel({
      mode: "http",
      port: 0,
      apiUrl: fake.apiUrl,
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      env: {},
      // Far longer than an answer takes: one edit with the first words, then none until the answer is finished.
      updateIntervalMs: 60_000,
      channels: [
        { channel: ALL, mode: "all" },
        { channel: IGNORED, mode: "ignore" },
      ],
      handoff: { channel: ESCALATION, mention: AGENTS },
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
      logLevel: LogLevel.ERROR,
    });
    await channel.start(local.bot);
    url = `http://127.0.0.1:${channel.port}/slack/events`;
  }, 120_000);

  afterAll(async () => {
    await channel?.stop();
    await local?.dispose();
    await fake?.stop();
  });

  it("checks the bot token with auth.test before listening", () => {
    expect(fake.calls[0]).toMatchObject({ method: "auth.test", token: BOT_TOKEN });
  });

  it("answers a mention in a thread: placeholder, the first words while streaming (throttled), then the answer with sources and buttons", async () => {
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}` });
    const response = await post({ json: appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}`, ts }) });
    expect(response.status).toBe(200);

    const placeholder = await fake.waitForCall("chat.postMessage", inThread(ts));
    expect(placeholder.params).toMatchObject({ channel: SUPPORT, thread_ts: ts, text: "Looking that up…" });
    const answerTs = (await botMessageIn(ts)).ts;
    const final = await finalOf(answerTs);

    // Streamed and throttled: an edit with the first words at once, then, while the model writes the rest, none
    // until the final edit with the whole answer (whatever the machine's speed; renderAnswer's tests cover the timing).
    const updates = fake.callsOf("chat.update").filter((c) => c.params.ts === answerTs);
    expect(updates).toHaveLength(2);
    const firstWords = String(updates[0]!.params.text);
    expect(firstWords.length).toBeGreaterThan(0);
    expect(firstWords.length).toBeLessThan(ANSWER.length);
    expect(ANSWER.startsWith(firstWords.trim())).toBe(true);
    expect(updates[1]!.params.blocks).toEqual(final.blocks);

    // mrkdwn: bold, the link and the escaped characters; the citation kept.
    const section = final.blocks!.find((b: any) => b.type === "section");
    expect(section.text.text).toBe("Open *Settings &gt; Network* and set an upload limit [1]. See <https://help.tidepool.test/bandwidth|the guide> &amp; &lt;enjoy&gt;.");
    const sources = final.blocks!.find((b: any) => b.type === "context");
    expect(sources.elements[0].text).toBe("*Sources:*");
    expect(sources.elements[1].text).toMatch(/^\[1\] .+ `.+\.(md|json|csv):\d+`$/);
    const buttons = final.blocks!.find((b: any) => b.type === "actions").elements;
    expect(buttons.map((b: any) => b.action_id)).toEqual(["llamadesk_vote_up", "llamadesk_vote_down", "llamadesk_human"]);
    expect(buttons[2].value).toBe(`slack:${SUPPORT}:${ts}`);

    const turns = await local.bot.history(`slack:${SUPPORT}:${ts}`);
    expect(turns.map((t) => [t.role, t.text])).toEqual([
      ["user", QUESTION],
      ["assistant", expect.stringContaining("Settings > Network")],
    ]);
    expect(buttons[0].value).toBe(turns[1]!.id);
    const conversation = await local.store.getConversation(`slack:${SUPPORT}:${ts}`);
    expect(conversation).toMatchObject({ channel: "slack", user: CUSTOMER });
  });

  it("rejects a bad or stale signature with 401 and does not answer", async () => {
    const before = fake.calls.length;
    const ts = fake.nextTs();
    const body = { json: appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}`, ts }) };
    expect((await post(body, { secret: "0000000000000000deadbeefdeadbeef" })).status).toBe(401);
    expect((await post(body, { signature: "v0=abc" })).status).toBe(401);
    expect((await post(body, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.slice(before)).toEqual([]);
  });

  it("answers a follow-up in the thread without a mention, as the same conversation; ignores threads it is not in", async () => {
    const { ts } = await mentionAnswered();

    const strangerThread = fake.addMessage({ channel: SUPPORT, user: AGENT, text: "lunch?" });
    await post({ json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: "And on the phone app?", ts: fake.nextTs(), thread_ts: strangerThread }) });
    await post({ json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: "Does that also work on Linux?", ts: fake.nextTs(), thread_ts: ts }) });

    await fake.waitFor(() => fake.messages.filter((m) => m.thread_ts === ts && m.blocks?.some((b: any) => b.type === "actions")).length === 2, 20_000, "the follow-up answer");
    const turns = await local.bot.history(`slack:${SUPPORT}:${ts}`);
    expect(turns.filter((t) => t.role === "user").map((t) => t.text)).toEqual([QUESTION, "Does that also work on Linux?"]);
    expect(fake.calls.some((c) => c.params.thread_ts === strangerThread)).toBe(false);
    expect(await local.bot.history(`slack:${SUPPORT}:${strangerThread}`)).toEqual([]);
  });

  it("answers a direct message in the DM, at top level", async () => {
    const ts = fake.nextTs();
    await post({ json: messageEvent({ channel: "D0CUSTOMER", channel_type: "im", user: CUSTOMER, text: QUESTION, ts }) });
    const placeholder = await fake.waitForCall("chat.postMessage", (c) => c.params.channel === "D0CUSTOMER");
    expect(placeholder.params.thread_ts).toBeUndefined();
    const answer = fake.messages.find((m) => m.channel === "D0CUSTOMER")!;
    await finalOf(answer.ts);
    expect((await local.bot.history("slack:D0CUSTOMER:dm")).map((t) => t.role)).toEqual(["user", "assistant"]);
  });

  it("acknowledges /ask before answering (Slack allows 3 s), ephemerally, with the answer sent once finished", async () => {
    const ephemeralBefore = fake.callsOf("chat.postEphemeral").length;
    const response = await post({ form: slashCommand({ text: QUESTION, user: CUSTOMER, channel: SUPPORT, responseUrl: `${fake.origin}/respond/1` }) });
    expect(response.status).toBe(200);
    // Acknowledged before answering, not after (the answer takes the model's time; Slack allows 3 s).
    expect(fake.callsOf("chat.postEphemeral")).toHaveLength(ephemeralBefore);
    const sent = await fake.waitForCall("chat.postEphemeral", (c) => c.params.user === CUSTOMER && c.params.blocks?.some((b: any) => b.type === "actions"));
    expect(sent.params.channel).toBe(SUPPORT);
    expect(sent.params.blocks[0].text.text).toContain("*Settings &gt; Network*");
    // Nothing public: no placeholder or edits for a private answer.
    expect(fake.callsOf("chat.postEphemeral").filter((c) => c.params.user === CUSTOMER)).toHaveLength(1);

    const empty = await post({ form: slashCommand({ text: "  ", user: CUSTOMER, channel: SUPPORT, responseUrl: `${fake.origin}/respond/2` }) });
    expect(await empty.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("/ask") });
  });

  it("stores 👍/👎 with the answer, one vote per user, and acknowledges each privately", async () => {
    const { ts, answer } = await mentionAnswered();
    expect((await press(answer, ts, 0)).status).toBe(200);
    await fake.waitForCall("chat.postEphemeral", (c) => c.params.user === CUSTOMER && c.params.thread_ts === ts);
    await press(answer, ts, 0, AGENT);
    await press(answer, ts, 1); // the customer's 👎 replaces their 👍
    await fake.waitForCall("chat.postEphemeral", (c) => c.params.thread_ts === ts, 3);
    const turnId = answer.blocks!.find((b: any) => b.type === "actions").elements[0].value;
    expect(await local.store.feedback(turnId)).toEqual({ up: 1, down: 1 });
  });

  it("hands off on 'Talk to a human': tells the customer, posts to the escalation channel, stays quiet until ✅", async () => {
    const { ts, answer } = await mentionAnswered();
    await press(answer, ts, 2); // Talk to a human

    const escalation = await fake.waitForCall("chat.postMessage", (c) => c.params.channel === ESCALATION);
    expect(escalation.params.text).toBe(`<!subteam^${AGENTS}> :sos: <@${CUSTOMER}> asked for a human in <#${SUPPORT}>.`);
    const blocksText = JSON.stringify(escalation.params.blocks);
    expect(blocksText).toContain(QUESTION);
    expect(blocksText).toContain(`${fake.origin}/archives/${SUPPORT}/p${ts.replace(".", "")}`);
    expect(blocksText).toContain("llamadesk_resolve");
    const told = fake.messages.filter((m) => m.thread_ts === ts).at(-1)!;
    expect(told.blocks!.some((b: any) => b.type === "actions" && b.elements[0].action_id === "llamadesk_resolve")).toBe(true);
    expect((await local.store.getConversation(`slack:${SUPPORT}:${ts}`))?.status).toBe("handed-off");

    // The customer writes again: stored for the human, and the bot says nothing (no placeholder either).
    const postsBefore = fake.callsOf("chat.postMessage").length;
    await post({ json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: "Hello? Anyone?", ts: fake.nextTs(), thread_ts: ts }) });
    await expect.poll(async () => (await local.bot.history(`slack:${SUPPORT}:${ts}`)).at(-1)?.text).toBe("Hello? Anyone?");
    expect(fake.callsOf("chat.postMessage").length).toBe(postsBefore);

    // An agent reacts ✅ on the customer's first message: resolved, the escalation post says so, the bot is back.
    await post({ json: reactionAdded({ user: AGENT, reaction: "white_check_mark", channel: SUPPORT, ts }) });
    await fake.waitForCall("chat.update", (c) => c.params.channel === ESCALATION && String(c.params.text).includes(`Resolved by <@${AGENT}>`));
    await fake.waitForCall("chat.postMessage", (c) => c.params.thread_ts === ts && String(c.params.text).includes("answer questions here again"));
    expect((await local.store.getConversation(`slack:${SUPPORT}:${ts}`))?.status).toBe("resolved");
    await post({ json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: "Thanks. How do I limit the download speed too?", ts: fake.nextTs(), thread_ts: ts }) });
    await fake.waitForCall("chat.postMessage", (c) => c.params.thread_ts === ts && c.params.text === "Looking that up…", 2);
    await fake.waitFor(() => fake.messages.filter((m) => m.thread_ts === ts && m.blocks?.some((b: any) => b.elements?.[0]?.action_id === "llamadesk_vote_up")).length === 2);
  });

  it("says plainly when it has no answer, offers a human, and hands off after a second miss", async () => {
    const offTopic = "What is the capital city of Mongolia?";
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${offTopic}` });
    await post({ json: appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${offTopic}`, ts }) });
    const first = await finalOf((await botMessageIn(ts)).ts);
    expect(first.text).toMatch(/^Sorry, I couldn't find an answer to that in our help articles for Tidepool/);
    expect(JSON.stringify(first.blocks)).toContain("*Closest matches:*");
    expect(first.blocks!.at(-1).elements.map((e: any) => e.action_id)).toEqual(["llamadesk_human"]);

    await post({ json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: offTopic, ts: fake.nextTs(), thread_ts: ts }) });
    const escalation = await fake.waitForCall("chat.postMessage", (c) => c.params.channel === ESCALATION && JSON.stringify(c.params.blocks).includes(ts.replace(".", "")));
    expect(escalation.params.text).toContain(`<@${CUSTOMER}> could not get an answer from the bot in <#${SUPPORT}>`);
    const second = fake.messages.filter((m) => m.thread_ts === ts).at(-1)!;
    expect(second.text).toContain("connecting you with a person");
    expect(second.blocks!.at(-1).elements.map((e: any) => e.action_id)).toEqual(["llamadesk_resolve"]);
    expect((await local.store.getConversation(`slack:${SUPPORT}:${ts}`))?.status).toBe("handed-off");
  });

  it("after a restart, stays quiet in a thread handed off before it (no placeholder) and ✅ on the escalation post still brings it back", async () => {
    const { ts, answer } = await mentionAnswered();
    await press(answer, ts, 2); // Talk to a human
    const escalation = await fake.waitForCall("chat.postMessage", (c) => c.params.channel === ESCALATION && JSON.stringify(c.params.blocks).includes(ts));
    const escalationTs = fake.messages.find((m) => m.channel === ESCALATION && m.text === escalation.params.text)!.ts;

    // A new process (a new channel on the same store) has nothing in memory: the store and Slack hold the handoff.
    const restarted = new SlackChannel({ mode: "http", port: 0, apiUrl: fake.apiUrl, signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, env: {}, logLevel: LogLevel.ERROR, handoff: { channel: ESCALATION } });
    await restarted.start(local.bot);
    try {
      const restartedUrl = `http://127.0.0.1:${restarted.port}/slack/events`;
      const inThreadBefore = fake.messages.filter((m) => m.thread_ts === ts).length;
      const postsBefore = fake.callsOf("chat.postMessage").length;
      await postToSlackEndpoint(restartedUrl, { json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: "Still there?", ts: fake.nextTs(), thread_ts: ts }) });
      await expect.poll(async () => (await local.bot.history(`slack:${SUPPORT}:${ts}`)).at(-1)?.text).toBe("Still there?");
      // The store says a human has it: no placeholder posted (or deleted), nothing in the thread.
      expect(fake.callsOf("chat.postMessage").length).toBe(postsBefore);
      expect(fake.callsOf("chat.delete")).toHaveLength(0);
      expect(fake.messages.filter((m) => m.thread_ts === ts)).toHaveLength(inThreadBefore);

      // ✅ on the escalation post, which this process never posted: it reads the post's button to find the thread.
      await postToSlackEndpoint(restartedUrl, { json: reactionAdded({ user: AGENT, reaction: "heavy_check_mark", channel: ESCALATION, ts: escalationTs }) });
      await fake.waitForCall("chat.postMessage", (c) => c.params.thread_ts === ts && String(c.params.text).includes("answer questions here again"));
      const updated = await fake.waitForCall("chat.update", (c) => c.params.channel === ESCALATION && c.params.ts === escalationTs);
      expect(updated.params.text).toBe(`:white_check_mark: Resolved by <@${AGENT}>.`);
      expect(JSON.stringify(updated.params.blocks)).not.toContain("llamadesk_resolve");
      expect(JSON.stringify(updated.params.blocks)).toContain("asked for a human");
      expect((await local.store.getConversation(`slack:${SUPPORT}:${ts}`))?.status).toBe("resolved");
    } finally {
      await restarted.stop();
    }
  });

  it("retries a chat.update rate-limited with 429, after Retry-After", async () => {
    fake.failNext("chat.update", { status: 429, retryAfter: 1 });
    const ts = await mention();
    const answerTs = (await botMessageIn(ts)).ts;
    const final = await finalOf(answerTs);
    expect(final.blocks![0].text.text).toContain("*Settings &gt; Network*");
    const updates = fake.callsOf("chat.update").filter((c) => c.params.ts === answerTs);
    const limited = updates.findIndex((c) => c.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retried = updates[limited + 1]!;
    expect(retried.status).toBe(200);
    expect(retried.at - updates[limited]!.at).toBeGreaterThanOrEqual(950);
  });

  it("replaces the placeholder with an apology when the answer cannot be shown, and posts one if even that fails", async () => {
    // Edits with the answer fail (a 500, retried twice); the edit with the apology goes through.
    fake.failWhen("chat.update", { status: 500 }, (p) => !String(p.text).startsWith("Sorry"));
    const first = await mention();
    const placeholder = await botMessageIn(first);
    await fake.waitFor(() => placeholder.text.startsWith("Sorry"), 20_000, "the apology edit");
    expect(placeholder.text).toBe("Sorry, something went wrong while I was answering. Please try again in a moment.");
    fake.clearFailures();

    // Every edit fails: the apology is posted in the thread instead, and the placeholder is the only other message.
    fake.failWhen("chat.update", { error: "internal_error" }, () => true);
    const second = await mention();
    const apology = await fake.waitForCall("chat.postMessage", (c) => c.params.thread_ts === second && String(c.params.text).startsWith("Sorry"));
    expect(apology.params.text).toMatch(/^Sorry, something went wrong/);
    expect(fake.messages.filter((m) => m.thread_ts === second).map((m) => m.text)).toEqual(["Looking that up…", apology.params.text]);
    fake.clearFailures();
  });

  it("never answers its own messages or other bots', honours per-channel modes", async () => {
    const before = fake.calls.length;
    const own = fake.nextTs();
    await post({ json: messageEvent({ channel: ALL, user: BOT_USER, bot_id: "B0LLAMADESK", text: QUESTION, ts: own }) });
    await post({ json: messageEvent({ channel: ALL, bot_id: "B0OTHERBOT", subtype: "bot_message", text: QUESTION, ts: fake.nextTs() }) });
    await post({ json: messageEvent({ channel: ALL, user: "U0OTHERBOTUSER", bot_id: "B0OTHERBOT", text: QUESTION, ts: fake.nextTs() }) });
    await post({ json: appMention({ channel: IGNORED, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}`, ts: fake.nextTs() }) });
    await post({ json: messageEvent({ channel: SUPPORT, user: CUSTOMER, text: QUESTION, ts: fake.nextTs() }) }); // mention-only channel, no mention
    // A person's top-level message in the answer-everything channel is answered, in a thread under it.
    const person = fake.nextTs();
    await post({ json: messageEvent({ channel: ALL, user: CUSTOMER, text: QUESTION, ts: person }) });
    await finalOf((await botMessageIn(person)).ts);
    const posted = fake.calls.slice(before).filter((c) => c.method.startsWith("chat."));
    expect(posted.every((c) => c.params.thread_ts === person || c.params.ts !== undefined)).toBe(true);
    expect(new Set(posted.map((c) => c.params.channel))).toEqual(new Set([ALL]));
    // Slack redelivering the same event does not answer twice.
    await post({ json: messageEvent({ channel: ALL, user: CUSTOMER, text: QUESTION, ts: person }) });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === person)).toHaveLength(1);
  });
});

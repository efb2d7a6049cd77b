import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackChannel } from "../../../src/channels/slack/SlackChannel.js";
import { toMrkdwn } from "../../../src/channels/slack/toMrkdwn.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";
import { APP_TOKEN, appMention, blockAction, BOT_TOKEN, BOT_USER, slashCommand } from "./slackRequests.js";

// Socket Mode on every real part: Bolt's SocketModeReceiver opens its connection through apps.connections.open
// on the fake Web API, gets `hello` over a local WebSocket, receives envelopes and acks them; the bot answers
// with USE-lite + HNSW/BM25 over the sample FAQ and llama.cpp running the tiny random-weight Llama 2 (gibberish
// wording: structure is checked, not words).
const SUPPORT = "C0SUPPORT";
const CUSTOMER = "U0CUSTOMER";
const QUESTION = "How do I stop Tidepool from using all my bandwidth?";

describe("Slack channel in Socket Mode, on the real local stack", () => {
  let fake: FakeSlack;
  let local: LocalBot;
  let channel: SlackChannel;
  const botMessageIn = (threadTs: string) => fake.waitFor(() => fake.messages.find((m) => m.thread_ts === threadTs && m.user === BOT_USER), 30_000, `a reply in ${threadTs}`);
  const finalOf = (ts: string) =>
    fake.waitFor(() => {
      const m = fake.messages.find((x) => x.ts === ts);
      return m?.blocks?.some((b: any) => b.type === "actions") && m;
    }, 60_000, `the final answer in ${ts}`);

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    local = await startLocalBot({ model: "tiny", policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 24 } } });
    channel = new SlackChannel({
      // No mode given: SLACK_APP_TOKEN without SLACK_SIGNING_SECRET means Socket Mode.
      env: { slackBotToken: BOT_TOKEN, slackAppToken: APP_TOKEN, slackApiUrl: fake.apiUrl },
      updateIntervalMs: 20,
      commandReply: "public",
      logLevel: LogLevel.ERROR,
    });
    await channel.start(local.bot);
  }, 120_000);

  afterAll(async () => {
    await channel?.stop();
    await local?.dispose();
    await fake?.stop();
  });

  it("connects with the app token (apps.connections.open, then hello) after checking the bot token", () => {
    expect(channel.settings?.mode).toBe("socket");
    expect(fake.calls.map((c) => [c.method, c.token])).toEqual([
      ["auth.test", BOT_TOKEN],
      ["apps.connections.open", APP_TOKEN],
    ]);
    expect(fake.socketConnections).toBe(1);
  });

  it("acks a mention envelope and streams the model's answer into a thread, with sources and buttons", async () => {
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}` });
    const ack = await fake.sendEnvelope("events_api", appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}`, ts }));
    expect(ack).toEqual({ envelope_id: expect.any(String), payload: {} });

    const placeholder = await botMessageIn(ts);
    expect(fake.callsOf("chat.postMessage").find((c) => c.params.thread_ts === ts)?.params.text).toBe("Looking that up…");
    const final = await finalOf(placeholder.ts);

    const [question, answer] = await local.bot.history(`slack:${SUPPORT}:${ts}`);
    expect(question).toMatchObject({ role: "user", text: QUESTION });
    expect(answer).toMatchObject({ role: "assistant", outcome: "answered", mode: "generative" });
    const updates = fake.callsOf("chat.update").filter((c) => c.params.ts === placeholder.ts);
    expect(updates.length).toBeGreaterThanOrEqual(2); // at least one edit while streaming, then the final one
    expect(updates[0]!.params.blocks[0].text.text.endsWith(" …")).toBe(true);
    expect(final.blocks![0].text.text.length).toBeGreaterThan(0);
    expect(final.blocks![0].text.text).toBe(toMrkdwn(final.text).trim() === "" ? "…" : toMrkdwn(final.text));
    const sources = final.blocks!.find((b: any) => b.type === "context");
    expect(sources.elements.length).toBeGreaterThanOrEqual(2);
    expect(sources.elements[1].text).toMatch(/^\[\d\] /);
    const vote = final.blocks!.find((b: any) => b.type === "actions").elements[0];
    expect(vote.value).toBe(answer!.id);
  });

  it("acks an interactive envelope and records the vote", async () => {
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> Is my data encrypted?` });
    await fake.sendEnvelope("events_api", appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> Is my data encrypted?`, ts }));
    const final = await finalOf((await botMessageIn(ts)).ts);
    const down = final.blocks!.find((b: any) => b.type === "actions").elements[1];
    const ack = await fake.sendEnvelope("interactive", blockAction({ actionId: down.action_id, value: down.value, user: CUSTOMER, channel: SUPPORT, message: { ts: final.ts, thread_ts: ts } }));
    expect(ack.envelope_id).toEqual(expect.any(String));
    await fake.waitForCall("chat.postEphemeral", (c) => c.params.user === CUSTOMER && c.params.thread_ts === ts);
    expect(await local.store.feedback(down.value)).toEqual({ up: 0, down: 1 });
  });

  it("acks a slash command envelope at once and answers publicly, threaded under the question", async () => {
    const callsBefore = fake.calls.length;
    const ack = await fake.sendEnvelope("slash_commands", slashCommand({ text: "Can I limit the upload speed?", user: CUSTOMER, channel: SUPPORT, responseUrl: `${fake.origin}/respond/3` }));
    // Acked before answering, not after: no placeholder for the answer yet (Slack wants the ack within 3 s).
    expect(fake.calls.slice(callsBefore).filter((c) => c.params.text === "Looking that up…")).toEqual([]);
    expect(ack.envelope_id).toEqual(expect.any(String));
    const asked = await fake.waitForCall("chat.postMessage", (c) => c.params.text === `<@${CUSTOMER}> asked: Can I limit the upload speed?`);
    expect(asked.params.thread_ts).toBeUndefined();
    const questionTs = fake.messages.find((m) => m.text === asked.params.text)!.ts;
    await finalOf((await botMessageIn(questionTs)).ts);
    expect((await local.bot.history(`slack:${SUPPORT}:${questionTs}`)).map((t) => t.role)).toEqual(["user", "assistant"]);
  });

  it("disconnects on stop and can be stopped twice", async () => {
    const other = new SlackChannel({ env: { slackBotToken: BOT_TOKEN, slackAppToken: APP_TOKEN, slackApiUrl: fake.apiUrl }, logLevel: LogLevel.ERROR });
    await other.start(local.bot);
    expect(fake.socketConnections).toBe(2);
    await other.stop();
    await other.stop();
    await expect.poll(() => fake.socketConnections).toBe(1);
  });
});

import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bot } from "../../../src/bot.js";
import { SlackChannel } from "../../../src/channels/slack/SlackChannel.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { RESET_ANSWER, RESET_QUESTION, storeFileBots, type StoreFileBots } from "../../support/storeFileBots.js";
import { appMention, BOT_TOKEN, BOT_USER, messageEvent, SIGNING_SECRET, slackSignature } from "./slackRequests.js";

// The real Bolt App (HTTPReceiver, signature checks) against the local fake Slack, answering through bots on one
// SQLite conversation store file: a restart is a new channel on a new bot that opens the file anew.
const SUPPORT = "C0SUPPORT";
const CUSTOMER = "U0CUSTOMER";

describe("Slack over HTTP: events redelivered after a restart", () => {
  let fake: FakeSlack;
  let bots: StoreFileBots;
  let channel: SlackChannel;
  let bot: Bot;
  let url: string;

  const start = async () => {
    bot = await bots.start();
    channel = new SlackChannel({
      mode: "http",
      port: 0,
      apiUrl: fake.apiUrl,
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      env: {},
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
    });
    await channel.start(bot);
    url = `http://127.0.0.1:${channel.port}/slack/events`;
  };
  /** POSTs an event as Slack does: signed, with any extra headers (a retry's). */
  const deliver = (event: unknown, headers: Record<string, string> = {}) => {
    const raw = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SIGNING_SECRET, timestamp, raw), ...headers },
      body: raw,
    });
  };
  const mentionOf = (ts: string) => appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}`, ts });
  /** The bot's finished answer in a thread (or a DM's top level): its message with buttons. */
  const answerIn = (channelId: string, threadTs?: string) =>
    fake.waitFor(() => fake.messages.find((m) => m.channel === channelId && m.thread_ts === threadTs && m.user === BOT_USER && m.blocks?.some((b: any) => b.type === "actions")), 20_000, `an answer in ${channelId} ${threadTs ?? ""}`);

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN });
    bots = await storeFileBots();
    await start();
  }, 60_000);

  afterAll(async () => {
    await channel?.stop();
    await bots?.dispose();
    await fake?.stop();
  });

  it("acknowledges a retry delivered after a restart (same event_id, X-Slack-Retry-Num) and does not answer it again", async () => {
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}` });
    const event = mentionOf(ts);
    expect((await deliver(event)).status).toBe(200);
    const first = await answerIn(SUPPORT, ts);
    expect(first.text).toContain(RESET_ANSWER);

    // The process ends (channel and bot, whose store closes) and a new one starts on the same store file.
    await channel.stop();
    await bot.dispose();
    await start();
    const retry = await deliver(event, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retry.status).toBe(200);

    // A new message after the retry is answered: the restarted bot is answering, and had its chance at the retry.
    const dmTs = fake.nextTs();
    expect((await deliver(messageEvent({ channel: "D0CUSTOMER", user: CUSTOMER, text: RESET_QUESTION, ts: dmTs }))).status).toBe(200);
    await answerIn("D0CUSTOMER");
    expect(fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === ts)).toHaveLength(1);
    expect(fake.messages.filter((m) => m.thread_ts === ts && m.user === BOT_USER)).toEqual([first]);
  });
});

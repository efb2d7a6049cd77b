import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bot } from "../../src/bot.js";
import { SlackChannel } from "../../src/channels/slack/SlackChannel.js";
import { FakeSlack } from "../support/fakeSlack.js";
import { RESET_ANSWER, RESET_QUESTION, replicaBot } from "../support/postgres/replicaBot.js";
import { requireRealServer, useTestDatabase } from "../support/postgres/testDatabase.js";
import { appMention, BOT_TOKEN, BOT_USER, SIGNING_SECRET, slackSignature } from "../channels/slack/slackRequests.js";

// Two Slack replicas (the real Bolt App over HTTP, against the local fake Slack) behind one Events URL's load
// balancer: each with a pool and a bot of its own, their conversations and seen events in one database.
requireRealServer();
const database = useTestDatabase();
const SUPPORT = "C0SUPPORT";
const CUSTOMER = "U0CUSTOMER";

interface SlackReplica {
  channel: SlackChannel;
  /** What this replica's bot said of each event it was asked about: true to answer it, false for a redelivery. */
  sightings: { eventId: string; first: boolean }[];
  url: string;
}

describe("Slack replicas on one database", () => {
  let fake: FakeSlack;
  let a: SlackReplica;
  let b: SlackReplica;
  const bots: Bot[] = [];

  const replica = async (knowledge: string): Promise<SlackReplica> => {
    const bot = await replicaBot(await (await database.database()).open(), knowledge);
    bots.push(bot);
    const sightings: SlackReplica["sightings"] = [];
    // The bot, recording what its de-duplication decided.
    const recording: Bot = {
      ...bot,
      firstSighting: async (channel, eventId) => {
        const first = await bot.firstSighting(channel, eventId);
        sightings.push({ eventId, first });
        return first;
      },
    };
    const channel = new SlackChannel({
      mode: "http",
      port: 0,
      apiUrl: fake.apiUrl,
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      env: {},
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
    });
    await channel.start(recording);
    return { channel, sightings, url: `http://127.0.0.1:${channel.port}/slack/events` };
  };

  /** POSTs an event to a replica as Slack does: signed, with any extra headers (a retry's). */
  const deliver = (to: SlackReplica, event: unknown, headers: Record<string, string> = {}) => {
    const raw = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    return fetch(to.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SIGNING_SECRET, timestamp, raw), ...headers },
      body: raw,
    });
  };

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN });
    const knowledge = database.knowledge();
    [a, b] = [await replica(knowledge), await replica(knowledge)];
  }, 60_000);

  afterAll(async () => {
    for (const r of [a, b]) await r?.channel.stop();
    for (const bot of bots) await bot.dispose();
    await fake?.stop();
  });

  it("answers once an event delivered to replica A and retried (same event, X-Slack-Retry-Num) to replica B", async () => {
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}` });
    const event = appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}`, ts });
    const eventId = `${SUPPORT}:${ts}`;
    expect((await deliver(a, event)).status).toBe(200);
    // Slack retries when it thinks the first delivery failed; its load balancer sends the retry to the other replica.
    const retry = await deliver(b, event, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retry.status).toBe(200);

    const answer = await fake.waitFor(
      () => fake.messages.find((m) => m.thread_ts === ts && m.user === BOT_USER && m.blocks?.some((block: { type: string }) => block.type === "actions")),
      20_000,
      "the answer in the thread",
    );
    expect(answer.text).toContain(RESET_ANSWER);
    // B had its say on the retry: the database told it the event was seen.
    await fake.waitFor(() => b.sightings.find((s) => s.eventId === eventId), 20_000, "replica B's decision on the retry");
    expect(a.sightings.filter((s) => s.eventId === eventId)).toEqual([{ eventId, first: true }]);
    expect(b.sightings.filter((s) => s.eventId === eventId)).toEqual([{ eventId, first: false }]);
    expect(fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === ts)).toHaveLength(1);
    expect(fake.messages.filter((m) => m.thread_ts === ts && m.user === BOT_USER)).toEqual([answer]);
  });
});

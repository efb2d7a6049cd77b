import { LogLevel } from "@slack/bolt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SlackChannel, type SlackChannelOptions } from "../../../src/channels/slack/SlackChannel.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { useTestDatabase } from "../../support/postgres/testDatabase.js";
import { RESET_ANSWER, RESET_QUESTION, replicaBot, type ReplicaBot } from "../../support/replicaBots.js";
import { APP_TOKEN, appMention, BOT_TOKEN, BOT_USER, SIGNING_SECRET, slackSignature } from "./slackRequests.js";

// Two replicas of one Slack bot (the real Bolt App, each its own pool on one database) against the local fake
// Slack. Slack may deliver an event to either replica, and again after a retry or a reconnect: the conversation
// store they share decides which one answers (markEventSeen, an insert-if-absent), so it is answered once.
const database = useTestDatabase();
const SUPPORT = "C0SUPPORT";
const CUSTOMER = "U0CUSTOMER";
const eventually = { timeout: 20_000, interval: 20 };

let fake: FakeSlack;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  fake = await FakeSlack.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await fake?.stop();
});

/** Two replicas on one database (one knowledge base), each with a channel started with `options`. */
async function twoReplicas(options: SlackChannelOptions): Promise<{ replica: ReplicaBot; channel: SlackChannel }[]> {
  const db = await database.database();
  const knowledge = database.knowledge();
  const replicas = [];
  for (let i = 0; i < 2; i++) {
    const replica = await replicaBot(db, knowledge);
    const channel = new SlackChannel({ botToken: BOT_TOKEN, apiUrl: fake.apiUrl, env: {}, logLevel: LogLevel.ERROR, updateIntervalMs: 20, ...options });
    cleanups.push(async () => (await channel.stop(), await replica.bot.dispose()));
    await channel.start(replica.bot);
    replicas.push({ replica, channel });
  }
  return replicas;
}

/** The bot's messages in a thread, and its finished answer there (the message with buttons). */
const botMessagesIn = (threadTs: string) => fake.messages.filter((m) => m.thread_ts === threadTs && m.user === BOT_USER);
const answerIn = (threadTs: string) =>
  fake.waitFor(() => botMessagesIn(threadTs).find((m) => m.blocks?.some((b: any) => b.type === "actions")), 20_000, `the answer in ${threadTs}`);
/** What each replica's store said about the message's event: one first sighting among them, the rest repeats. */
const decisionsOn = (replicas: { replica: ReplicaBot }[], ts: string) =>
  replicas.flatMap(({ replica }) => replica.seen.filter((s) => s.eventId === `slack:${SUPPORT}:${ts}`).map((s) => s.first));

describe("Slack with several replicas on one database", () => {
  it("Socket Mode: one envelope reaching both replicas' connections is answered by exactly one of them", async () => {
    const replicas = await twoReplicas({ appToken: APP_TOKEN, mode: "socket" });
    expect(fake.socketConnections).toBe(2);
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}` });
    // The fake sends each envelope to every connection: both replicas get it, and both ack it.
    await fake.sendEnvelope("events_api", appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}`, ts }));

    // Both replicas have asked the shared store; exactly one was told it was the first.
    await vi.waitFor(() => expect(decisionsOn(replicas, ts)).toHaveLength(2), eventually);
    expect(decisionsOn(replicas, ts).sort()).toEqual([false, true]);
    expect((await answerIn(ts)).text).toContain(RESET_ANSWER);
    expect(botMessagesIn(ts)).toHaveLength(1);
    expect(fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === ts)).toHaveLength(1);
  });

  it("HTTP mode: an event, and Slack's retry of it reaching the other replica behind the load balancer, are answered once", async () => {
    const replicas = await twoReplicas({ signingSecret: SIGNING_SECRET, mode: "http", port: 0 });
    const deliver = (port: number, event: unknown, headers: Record<string, string> = {}) => {
      const raw = JSON.stringify(event);
      const timestamp = Math.floor(Date.now() / 1000);
      return fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SIGNING_SECRET, timestamp, raw), ...headers },
        body: raw,
      });
    };
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}` });
    const event = appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}`, ts });
    const [first, retry] = await Promise.all([
      deliver(replicas[0]!.channel.port!, event),
      deliver(replicas[1]!.channel.port!, event, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);

    await vi.waitFor(() => expect(decisionsOn(replicas, ts)).toHaveLength(2), eventually);
    expect(decisionsOn(replicas, ts).sort()).toEqual([false, true]);
    expect((await answerIn(ts)).text).toContain(RESET_ANSWER);
    expect(botMessagesIn(ts)).toHaveLength(1);
  });
});

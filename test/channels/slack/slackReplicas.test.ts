import { LogLevel } from "@slack/bolt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SlackChannel, type SlackChannelOptions } from "../../../src/channels/slack/SlackChannel.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { useTestDatabase } from "../../support/postgres/testDatabase.js";
import { RESET_ANSWER, RESET_QUESTION, replicaBot, type ReplicaBot } from "../../support/replicaBots.js";
import { APP_TOKEN, appMention, BOT_TOKEN, BOT_USER, messageEvent, reactionAdded, SIGNING_SECRET, slackSignature } from "./slackRequests.js";

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

/** Sends a signed Events API request to one replica's HTTP endpoint, as Slack (or the load balancer) would. */
function deliver(port: number, event: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const raw = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SIGNING_SECRET, timestamp, raw), ...headers },
    body: raw,
  });
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

  it("a handoff made on one replica is honoured and resolved on the other: no placeholder there, ✅ on the escalation post updates it", async () => {
    const ESCALATION = "C0ESCALATE";
    const AGENT = "U0AGENT";
    const [a, b] = await twoReplicas({ signingSecret: SIGNING_SECRET, mode: "http", port: 0, handoff: { channel: ESCALATION } });
    const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> I'd like to talk to a human.` });
    await deliver(a!.channel.port!, appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> I'd like to talk to a human.`, ts }));
    const escalation = await fake.waitFor(() => fake.messages.find((m) => m.channel === ESCALATION && JSON.stringify(m.blocks).includes(`slack:${SUPPORT}:${ts}`)), 20_000, "the escalation post");
    const conversationId = `slack:${SUPPORT}:${ts}`;
    expect(await b!.replica.bot.status(conversationId)).toBe("handed-off");

    // The customer writes again; the load balancer sends it to B, which never saw the handoff in memory.
    const postsBefore = fake.callsOf("chat.postMessage").length;
    await deliver(b!.channel.port!, messageEvent({ channel: SUPPORT, user: CUSTOMER, text: "Hello? Anyone there?", ts: fake.nextTs(), thread_ts: ts }));
    await vi.waitFor(async () => expect((await b!.replica.bot.history(conversationId)).at(-1)?.text).toBe("Hello? Anyone there?"), eventually);
    expect(fake.callsOf("chat.postMessage").length).toBe(postsBefore);

    // An agent reacts ✅ on the escalation post; Slack sends the event to B.
    await deliver(b!.channel.port!, reactionAdded({ user: AGENT, reaction: "white_check_mark", channel: ESCALATION, ts: escalation.ts }));
    const updated = await fake.waitForCall("chat.update", (c) => c.params.channel === ESCALATION && c.params.ts === escalation.ts);
    expect(updated.params.text).toBe(`:white_check_mark: Resolved by <@${AGENT}>.`);
    await fake.waitForCall("chat.postMessage", (c) => c.params.thread_ts === ts && String(c.params.text).includes("answer questions here again"));
    expect(await a!.replica.bot.status(conversationId)).toBe("resolved");

    // A is answering in the thread again.
    await deliver(a!.channel.port!, messageEvent({ channel: SUPPORT, user: CUSTOMER, text: RESET_QUESTION, ts: fake.nextTs(), thread_ts: ts }));
    await fake.waitFor(() => botMessagesIn(ts).find((m) => m.text.includes(RESET_ANSWER)), 20_000, "the answer after resolving");
  });
});

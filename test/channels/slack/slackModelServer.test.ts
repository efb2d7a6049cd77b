import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SlackChannel } from "../../../src/channels/slack/SlackChannel.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";
import { appMention, BOT_TOKEN, BOT_USER, postToSlackEndpoint, SIGNING_SECRET } from "./slackRequests.js";

// The real Bolt App over HTTP against a local fake of Slack's Web API, answering through the real bot whose chat
// model is on an OpenAI-compatible server (a loopback one generating with the tiny Llama 2 GGUF through llama.cpp).
const SUPPORT = "C0SUPPORT";
const CUSTOMER = "U0CUSTOMER";
const QUESTION = "How do I stop Tidepool from using all my bandwidth?";

let fake: FakeSlack;
let local: LocalBot;
let channel: SlackChannel;

beforeAll(async () => {
  fake = await FakeSlack.start({ botToken: BOT_TOKEN });
  local = await startLocalBot({ model: "server", policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 48 } } });
  channel = new SlackChannel({
    mode: "http",
    port: 0,
    apiUrl: fake.apiUrl,
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    env: {},
    updateIntervalMs: 60_000,
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
    logLevel: LogLevel.ERROR,
  });
  await channel.start(local.bot);
}, 120_000);

afterAll(async () => {
  await channel?.stop();
  await local?.dispose();
  await fake?.stop();
});

test("a mention is answered by the model server: placeholder, the first words while streaming, then the answer with sources and buttons", async () => {
  const ts = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}` });
  const response = await postToSlackEndpoint(`http://127.0.0.1:${channel.port}/slack/events`, { json: appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${QUESTION}`, ts }) });
  expect(response.status).toBe(200);

  const reply = await fake.waitFor(() => fake.messages.find((m) => m.thread_ts === ts && m.user === BOT_USER), 30_000, "the reply");
  const final = await fake.waitFor(() => fake.messages.find((m) => m.ts === reply.ts && m.blocks?.some((b: any) => b.type === "actions")), 60_000, "the final answer");
  // Streamed: an edit with the first words, then the final edit with the whole answer.
  const updates = fake.callsOf("chat.update").filter((c) => c.params.ts === reply.ts);
  expect(updates).toHaveLength(2);
  expect(String(updates[0]!.params.text).length).toBeGreaterThan(0);
  expect(updates[1]!.params.blocks).toEqual(final.blocks);
  expect(final.blocks!.find((b: any) => b.type === "context").elements[0].text).toBe("*Sources:*");

  const completions = local.modelServer!.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(completions).toHaveLength(1);
  expect(completions[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  const turns = await local.bot.history(`slack:${SUPPORT}:${ts}`);
  expect(turns.map((t) => [t.role, t.outcome, t.mode])).toEqual([
    ["user", undefined, undefined],
    ["assistant", "answered", "generative"],
  ]);
  expect(turns[1]!.text.length).toBeGreaterThan(0);
});

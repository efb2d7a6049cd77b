import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackChannel } from "../../../src/channels/slack/SlackChannel.js";
import { createSlackLogger } from "../../../src/channels/slack/slackLogger.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { RESET_QUESTION, storeFileBots, type StoreFileBots } from "../../support/storeFileBots.js";
import { appMention, BOT_TOKEN, BOT_USER, postToSlackEndpoint, SIGNING_SECRET } from "./slackRequests.js";

// The real Bolt App (HTTPReceiver, signature checks) against the local fake Slack; requests signed correctly, at
// timestamps either side of this machine's clock.
const SUPPORT = "C0SUPPORT";
const CUSTOMER = "U0CUSTOMER";

describe("Slack over HTTP: request timestamps either side of the clock", () => {
  let fake: FakeSlack;
  let bots: StoreFileBots;
  let channel: SlackChannel;
  let url: string;
  const logged: string[] = [];

  const mention = (ts: string) => ({ json: appMention({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}`, ts }) });
  /** The bot's finished answer in a thread: its message with buttons. */
  const answerIn = (threadTs: string) =>
    fake.waitFor(() => fake.messages.find((m) => m.thread_ts === threadTs && m.user === BOT_USER && m.blocks?.some((b: any) => b.type === "actions")), 20_000, `an answer in ${threadTs}`);

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN });
    bots = await storeFileBots();
    channel = new SlackChannel({
      mode: "http",
      port: 0,
      apiUrl: fake.apiUrl,
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      env: {},
      logger: createSlackLogger(LogLevel.WARN, (line) => logged.push(line)),
      retryConfig: { retries: 0 },
    });
    await channel.start(await bots.start());
    url = `http://127.0.0.1:${channel.port}/slack/events`;
  }, 60_000);

  afterAll(async () => {
    await channel?.stop();
    await bots?.dispose();
    await fake?.stop();
  });

  it("refuses a correctly signed request timestamped 10 minutes ahead (401, a warning without a stack, no answer); one within 5 minutes either side is answered", async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}` });
    const refused = await postToSlackEndpoint(url, mention(ahead), { timestamp: now + 10 * 60 });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe("");
    const warning = logged.find((line) => line.includes("ahead of this machine's clock"));
    expect(warning).toMatch(/^slack warn: Refused a Slack request timestamped 6\d\d s ahead/);
    expect(warning).not.toMatch(/\n\s+at /);

    // The same event, signed a minute ahead (a clock a little behind Slack's): answered, once.
    expect((await postToSlackEndpoint(url, mention(ahead), { timestamp: now + 60 })).status).toBe(200);
    expect((await answerIn(ahead)).blocks![0].text.text).toContain("Reset password");
    expect(fake.callsOf("chat.postMessage").filter((c) => c.params.thread_ts === ahead)).toHaveLength(1);

    const behind = fake.addMessage({ channel: SUPPORT, user: CUSTOMER, text: `<@${BOT_USER}> ${RESET_QUESTION}` });
    expect((await postToSlackEndpoint(url, mention(behind), { timestamp: now - 4 * 60 })).status).toBe(200);
    await answerIn(behind);
  });
});

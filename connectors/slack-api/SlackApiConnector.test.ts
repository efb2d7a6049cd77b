import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { definition, SlackApiConnector, type SlackApiConnectorOptions } from "./index.js";
import { FakeSlackWebApi } from "./FakeSlackWebApi.js";

const BASE = 1709251200; // 2024-03-01T00:00:00Z
/** A Slack ts `day` days and `hour` hours after BASE. */
const at = (day: number, hour = 9) => `${BASE + day * 86_400 + hour * 3600}.000100`;
const T1 = at(0); // old thread, quiet since day 1
const T5 = at(10); // parent before the lookback window, last reply inside it
const T2 = at(15); // lone question, deleted before the second pull
const T3 = at(20); // recent thread, edited and replied to

let fake: FakeSlackWebApi;
beforeEach(async () => {
  fake = await FakeSlackWebApi.start({ token: "xoxb-secret-123" });
  fake.addChannel("C01SUPPORT", "support");
  fake.addUser({ id: "U01ALICE", name: "alice", real_name: "Alice Chen", profile: { display_name: "alice.c", real_name: "Alice Chen" } });
  fake.addUser({ id: "U02BOB", name: "bob", real_name: "Bob Ortiz", profile: { display_name: "Bob (support)", real_name: "Bob Ortiz" } });
  fake.addUser({ id: "U03CAROL", name: "carol", real_name: "Carol Diaz", profile: { display_name: "", real_name: "Carol Diaz" } });
  fake.post("C01SUPPORT", { ts: at(0, 8), subtype: "channel_join", user: "U03CAROL", text: "<@U03CAROL> has joined the channel" });
  fake.post("C01SUPPORT", { ts: T1, user: "U01ALICE", text: "Sync fails with ERR_QUOTA after upgrading to 4.2 &amp; restarting" });
  fake.post("C01SUPPORT", { ts: at(0, 10), thread_ts: T1, user: "U02BOB", text: "Hi <@U01ALICE>, run `tidepool quota --refresh`" });
  fake.post("C01SUPPORT", { ts: at(1), thread_ts: T1, user: "U01ALICE", text: "Thanks, that worked!", reactions: [{ name: "white_check_mark", users: ["U02BOB"], count: 1 }] });
  fake.post("C01SUPPORT", { ts: T5, user: "U03CAROL", text: "Can I share a folder with someone outside my team?" });
  fake.post("C01SUPPORT", { ts: at(14), thread_ts: T5, user: "U02BOB", text: "Yes, with a guest link from the Share menu." });
  fake.post("C01SUPPORT", { ts: T2, user: "U03CAROL", text: "Is there a dark mode?" });
  fake.post("C01SUPPORT", { ts: T3, user: "U01ALICE", text: "The CSV export stops at 10,000 rows" });
  fake.post("C01SUPPORT", { ts: at(20, 10), thread_ts: T3, user: "U02BOB", text: "That is the limit per export: use <https://docs.acme.example/api|the API>" });
  fake.post("C01SUPPORT", { ts: at(20, 11), thread_ts: T3, user: "U01ALICE", text: "ok, how do I get an API key?" });
});
afterEach(async () => {
  await fake.stop();
});

function connector(options: Partial<SlackApiConnectorOptions> = {}): SlackApiConnector {
  return new SlackApiConnector({ channels: ["C01SUPPORT"], token: fake.token, tokenName: "SLACK_BOT_TOKEN", apiUrl: fake.url, supportUsers: ["bob"], pageSize: 2, lookbackDays: 7, ...options });
}

async function pull(source: SlackApiConnector, state?: unknown): Promise<{ docs: SourceDoc[]; issues: SourceIssue[]; saved: unknown }> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  let saved: unknown;
  for await (const doc of source.pull({ onIssue: (i) => issues.push(i), state, saveState: (s) => (saved = s) })) docs.push(doc);
  return { docs, issues, saved: JSON.parse(JSON.stringify(saved)) };
}

describe("SlackApiConnector", () => {
  it("pulls every thread with cursor pagination, waits out a 429's Retry-After, and sends the token only as a header", async () => {
    fake.failNext("conversations.history", { status: 429, retryAfter: 1 });
    const started = performance.now();
    const { docs, issues, saved } = await pull(connector());
    const elapsed = performance.now() - started;

    expect(issues).toEqual([]);
    expect(docs.map((doc) => [doc.id, doc.url])).toEqual([
      [`slack:C01SUPPORT:${T1}`, `https://acme.slack.com/archives/C01SUPPORT/p${T1.replace(".", "")}`],
      [`slack:C01SUPPORT:${T5}`, `https://acme.slack.com/archives/C01SUPPORT/p${T5.replace(".", "")}`],
      [`slack:C01SUPPORT:${T2}`, `https://acme.slack.com/archives/C01SUPPORT/p${T2.replace(".", "")}`],
      [`slack:C01SUPPORT:${T3}`, `https://acme.slack.com/archives/C01SUPPORT/p${T3.replace(".", "")}`],
    ]);
    const first = docs[0]!.thread!;
    expect(first.channel).toBe("#support");
    expect(first.messages.map((m) => [m.author, m.role, m.text, m.reactions])).toEqual([
      ["alice.c", "customer", "Sync fails with ERR_QUOTA after upgrading to 4.2 & restarting", undefined],
      ["Bob (support)", "agent", "Hi @alice.c, run `tidepool quota --refresh`", undefined],
      ["alice.c", "customer", "Thanks, that worked!", ["white_check_mark"]],
    ]);
    expect(docs[3]!.text).toContain("use the API (https://docs.acme.example/api)");

    // The 429 was retried after its Retry-After: the first page was asked for twice.
    const history = fake.callsOf("conversations.history");
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(history[0]!.params).toEqual(history[1]!.params);
    // 5 top-level messages (with the join), 2 per page: 3 pages after the retried one, each with the previous cursor.
    expect(history).toHaveLength(4);
    expect(history.map((call) => call.params.cursor)).toEqual([undefined, undefined, expect.any(String), expect.any(String)]);
    expect(history.every((call) => call.params.oldest === undefined && call.params.limit === "2")).toBe(true);
    // T3 has 3 messages: its replies took two pages.
    expect(fake.callsOf("conversations.replies").filter((call) => call.params.ts === T3)).toHaveLength(2);
    expect(fake.callsOf("conversations.replies").map((call) => call.params.ts)).not.toContain(T2);

    for (const call of fake.calls) {
      expect(call.authorization).toBe("Bearer xoxb-secret-123");
      expect(JSON.stringify(call.params)).not.toContain("xoxb-secret-123");
    }
    expect(saved).toMatchObject({ version: 1, channels: { C01SUPPORT: { cursor: T3 } } });
  });

  it("pulls incrementally from the saved state: only the lookback window is fetched, edits and new replies show, a deleted thread disappears", async () => {
    const { saved } = await pull(connector());
    fake.calls.length = 0;

    fake.edit("C01SUPPORT", at(20, 10), "That is the limit per export: use the API, or split the export by month", at(21));
    fake.post("C01SUPPORT", { ts: at(21, 12), thread_ts: T3, user: "U02BOB", text: "API keys are under Settings > Developer." });
    fake.post("C01SUPPORT", { ts: at(21, 13), thread_ts: T5, user: "U03CAROL", text: "Found it, thanks" });
    fake.delete("C01SUPPORT", T2);
    const T4 = at(22);
    fake.post("C01SUPPORT", { ts: T4, user: "U03CAROL", text: "How do I change my billing email?" });

    const { docs, saved: savedAgain } = await pull(connector(), saved);
    const history = fake.callsOf("conversations.history");
    const oldest = (Number(T3) - 7 * 86_400).toFixed(6);
    // One page: only T3 and T4 are that new (the first pull needed three pages).
    expect(history.map((call) => [call.params.oldest, call.params.inclusive, call.params.cursor])).toEqual([[oldest, "true", undefined]]);
    // Replies: T3 (listed, has replies) and T5 (before the window, active inside it); not the quiet T1, not the lone T4.
    expect(new Set(fake.callsOf("conversations.replies").map((call) => call.params.ts))).toEqual(new Set([T3, T5]));

    expect(docs.map((doc) => doc.id)).toEqual([`slack:C01SUPPORT:${T1}`, `slack:C01SUPPORT:${T5}`, `slack:C01SUPPORT:${T3}`, `slack:C01SUPPORT:${T4}`]);
    const t3 = docs[2]!.thread!;
    expect(t3.messages.map((m) => [m.text, m.edited])).toEqual([
      ["The CSV export stops at 10,000 rows", undefined],
      ["That is the limit per export: use the API, or split the export by month", true],
      ["ok, how do I get an API key?", undefined],
      ["API keys are under Settings > Developer.", undefined],
    ]);
    expect(docs[1]!.thread!.messages.at(-1)!.text).toBe("Found it, thanks");
    // The untouched old thread comes from the saved state, unchanged.
    expect(docs[0]!.contentHash).toBe((await pull(connector())).docs[0]!.contentHash);
    expect(savedAgain).toMatchObject({ channels: { C01SUPPORT: { cursor: T4 } } });
  });

  it("keeps the replies of a thread whose question was deleted, and drops a thread once all of it is gone", async () => {
    const { saved } = await pull(connector());
    fake.delete("C01SUPPORT", T3);
    const afterTombstone = await pull(connector(), saved);
    const t3 = afterTombstone.docs.find((doc) => doc.id === `slack:C01SUPPORT:${T3}`)!;
    expect(t3.thread!.messages.map((m) => m.author)).toEqual(["Bob (support)", "alice.c"]);
    expect(t3.text).not.toContain("This message was deleted");

    fake.delete("C01SUPPORT", at(20, 10));
    fake.delete("C01SUPPORT", at(20, 11));
    fake.delete("C01SUPPORT", T3); // the tombstone goes once it has no replies
    // T5 started before the window: its replies call now answers thread_not_found.
    fake.delete("C01SUPPORT", at(14));
    fake.delete("C01SUPPORT", T5);
    fake.calls.length = 0;
    const { docs } = await pull(connector(), afterTombstone.saved);
    expect(fake.callsOf("conversations.replies").map((call) => call.params.ts)).toEqual([T5]);
    expect(docs.map((doc) => doc.id)).toEqual([`slack:C01SUPPORT:${T1}`, `slack:C01SUPPORT:${T2}`]);
  });

  it("reports a channel it cannot read and still pulls the others, keeping that channel's known threads", async () => {
    fake.addChannel("C02OTHER", "other");
    fake.post("C02OTHER", { ts: at(3), user: "U01ALICE", text: "hello from #other" });
    const first = await pull(connector({ channels: ["C02OTHER", "C01SUPPORT"] }));
    expect(first.docs).toHaveLength(5);

    fake.failNext("conversations.history", { error: "not_in_channel" });
    const { docs, issues } = await pull(connector({ channels: ["C02OTHER", "C01SUPPORT"] }), first.saved);
    expect(issues).toEqual([{ file: "slack:C02OTHER", message: "the app is not in the channel: invite it with /invite @your-app (not_in_channel); its 1 known threads are kept" }]);
    expect(docs.map((doc) => doc.id)).toEqual(first.docs.map((doc) => doc.id));
  });

  it("fails with SOURCE_AUTH_FAILED on a bad token, naming the variable and never the token", async () => {
    const bad = connector({ token: "xoxb-wrong-456" });
    const error = await (async () => {
      for await (const _ of bad.pull()) void _;
    })().catch((e: unknown) => e);
    expect(isLlamadeskError(error, "SOURCE_AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toBe("slack-api: Slack refused the token in SLACK_BOT_TOKEN (invalid_auth): set it to a valid bot token (xoxb-...) of the workspace");
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain("xoxb-wrong-456");
  });

  it("shows the channel id when the token may not read channel names (no channels:read)", async () => {
    fake.failNext("conversations.info", { error: "missing_scope" });
    const { docs } = await pull(connector());
    expect(docs[0]!.thread!.channel).toBe("#C01SUPPORT");
    expect(docs).toHaveLength(4);
  });

  it("names a missing scope", async () => {
    fake.failNext("conversations.history", { error: "missing_scope" });
    const error = await (async () => {
      for await (const _ of connector().pull()) void _;
    })().catch((e: unknown) => e);
    expect(isLlamadeskError(error, "SOURCE_AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain("lacks a scope, needed for conversations.history");
  });

  it("starts over, saying so, when the saved state is unusable", async () => {
    const { docs, issues } = await pull(connector(), { version: 99 });
    expect(docs).toHaveLength(4);
    expect(issues[0]?.message).toMatch(/^the saved sync state is unusable \(version: .*\), so every channel is pulled again from the start$/);
    expect(fake.callsOf("conversations.history")[0]!.params.oldest).toBeUndefined();
  });

  it("has a sync definition that reads the token from the named variable", async () => {
    const options = definition.options.parse({ channels: ["C01SUPPORT"], tokenEnv: "SUPPORT_SLACK_TOKEN", apiUrl: fake.url, supportUsers: ["bob"] });
    const read: string[] = [];
    const env = (name: string) => (read.push(name), name === "SUPPORT_SLACK_TOKEN" ? fake.token : undefined);
    const docs: SourceDoc[] = [];
    for await (const doc of definition.create(options, { baseDir: ".", env }).pull()) docs.push(doc);
    expect(read).toEqual(["SUPPORT_SLACK_TOKEN"]);
    expect(docs).toHaveLength(4);

    const missing = (() => {
      try {
        definition.create(definition.options.parse({ channels: ["C01SUPPORT"] }), { baseDir: ".", env: () => undefined });
      } catch (e) {
        return e;
      }
    })();
    expect(isLlamadeskError(missing, "SOURCE_CONFIG_INVALID")).toBe(true);
    expect((missing as Error).message).toContain("SLACK_BOT_TOKEN is not set");
    expect(definition.options.safeParse({ channels: ["support"] }).success).toBe(false);
    expect(definition.options.safeParse({ channels: ["C1"], tokenEnv: "xoxb-123-abc" }).success).toBe(false);
    expect(definition.options.safeParse({ channels: ["C1"], token: "xoxb-123" }).success).toBe(false);
  });
});

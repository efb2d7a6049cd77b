import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { snowflakeAt } from "../discord-shared/snowflake.js";
import { FakeDiscordRest, type FakeUser } from "./FakeDiscordRest.js";
import { definition, DiscordApiConnector, type DiscordApiConnectorOptions } from "./index.js";

const TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAw.GfAkE1.s3cr3t-token-never-shown";
const NOW = Date.parse("2024-03-20T12:00:00.000Z");
const DAY = 86_400_000;
const GUILD = "1090000000000000000";
const HELP = "1100000000000000001";
const FORUM = "1100000000000000003";
const SUPPORT_ROLE = "1101000000000000001";
const SOLVED_TAG = "1103000000000000001";
const BUG_TAG = "1103000000000000002";
const ago = (days: number, minutes = 0) => new Date(NOW - days * DAY + minutes * 60_000).toISOString();

const maya: FakeUser = { id: "300000000000000001", username: "maya.k", global_name: "Maya" };
const sam: FakeUser = { id: "300000000000000002", username: "sam_acme", global_name: "Sam" };
const li: FakeUser = { id: "300000000000000003", username: "li.wei", global_name: null };
const carl: FakeUser = { id: "235148962103951360", username: "Carl-bot", bot: true };

interface World {
  fake: FakeDiscordRest;
  apiUrl: string;
  ids: Record<string, string>;
}

/**
 * #help: 60 old question/answer pairs (120 messages: two pages), a recent question with
 * an answer and a thanks, bot noise, and a thread started from a message.
 * #help-forum: an active post tagged Solved, two archived posts.
 */
async function buildWorld(options: { archivedPageSize?: number } = {}): Promise<World> {
  const fake = new FakeDiscordRest({ token: TOKEN, ...options });
  const ids: Record<string, string> = {};
  fake.addGuild(GUILD, [
    { id: SUPPORT_ROLE, name: "Support" },
    { id: "1101000000000000002", name: "Member" },
  ]);
  fake.addMember(GUILD, maya, ["1101000000000000002"]);
  fake.addMember(GUILD, sam, [SUPPORT_ROLE], "Sam (Acme)");
  fake.addMember(GUILD, li, []);
  fake.addChannel({ id: HELP, guild_id: GUILD, name: "help", type: 0 });
  fake.addChannel({ id: FORUM, guild_id: GUILD, name: "help-forum", type: 15, available_tags: [{ id: SOLVED_TAG, name: "Solved" }, { id: BUG_TAG, name: "Bug" }] });

  for (let i = 0; i < 60; i++) {
    const q = fake.addMessage(HELP, { at: ago(60 - i * 0.5), author: li, content: `old question ${i}: does feature ${i} work offline?` });
    fake.addMessage(HELP, { at: ago(60 - i * 0.5, 5), author: sam, content: `yes, feature ${i} works offline`, replyTo: q.id as string });
    if (i === 0) ids.oldQuestion = q.id as string;
  }
  fake.addMessage(HELP, { at: ago(3), author: carl, content: "Daily reminder: search before asking!" });
  const q = fake.addMessage(HELP, { at: ago(3, 10), author: maya, content: "How do I stop Tidepool from eating all my upload bandwidth? <:tidepool:1102000000000000009>" });
  const a = fake.addMessage(HELP, { at: ago(3, 20), author: sam, content: "Hi <@300000000000000001>! Settings > Network > upload limit. Ask <@&1101000000000000001> in <#1100000000000000003> if not.", replyTo: q.id as string, mentions: [maya] });
  fake.addMessage(HELP, { at: ago(3, 30), author: maya, content: "thanks, that worked!", replyTo: a.id as string, reactions: ["✅"] });
  ids.question = q.id as string;
  ids.answer = a.id as string;

  // A thread started from a #help message: its id is that message's, its first message points back at it.
  const origin = fake.addMessage(HELP, { at: ago(2), author: li, content: "Sync is stuck at 99% since this morning" });
  ids.thread = origin.id as string;
  fake.addThread({ id: ids.thread, guild_id: GUILD, parent_id: HELP, name: "Sync stuck at 99%" });
  fake.addMessage(ids.thread, { at: ago(2, 1), author: li, content: "", type: 21, referenced: origin });
  ids.threadAnswer = fake.addMessage(ids.thread, { at: ago(2, 5), author: sam, content: "Close Outlook: a .pst file it holds open blocks sync." }).id as string;

  // Forum posts: the first message's id is the post's.
  ids.active = fake.snowflake(ago(1));
  fake.addThread({ id: ids.active, guild_id: GUILD, parent_id: FORUM, name: "Raspberry Pi error 4012", applied_tags: [SOLVED_TAG] });
  fake.addMessage(ids.active, { id: ids.active, at: ago(1), author: li, content: "My Pi client logs error 4012" });
  fake.addMessage(ids.active, { at: ago(1, 30), author: sam, content: "4012 means the clock is off: enable NTP." });
  for (const [key, days, title] of [
    ["archived1", 30, "Export to CSV?"],
    ["archived2", 40, "Proxy settings ignored"],
    ["archived3", 50, "Two-factor codes rejected"],
  ] as const) {
    ids[key] = fake.snowflake(ago(days));
    fake.addThread({ id: ids[key], guild_id: GUILD, parent_id: FORUM, name: title, applied_tags: [BUG_TAG], archivedAt: ago(days - 7) });
    fake.addMessage(ids[key], { id: ids[key], at: ago(days), author: maya, content: `${title} (details)` });
    fake.addMessage(ids[key], { at: ago(days, 60), author: sam, content: `Answer about ${title}` });
  }
  return { fake, apiUrl: await fake.start(), ids };
}

interface Pulled {
  docs: SourceDoc[];
  issues: SourceIssue[];
  state: unknown;
}

async function pull(world: World, state?: unknown, options: Partial<DiscordApiConnectorOptions> = {}): Promise<Pulled> {
  const connector = new DiscordApiConnector({ channels: [HELP, FORUM], token: TOKEN, apiUrl: world.apiUrl, supportRoles: ["support"], now: () => NOW, ...options });
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  let saved: unknown;
  for await (const doc of connector.pull({ onIssue: (i) => issues.push(i), state, saveState: (s) => (saved = JSON.parse(JSON.stringify(s))) })) docs.push(doc);
  return { docs, issues, state: saved };
}

const doc = (docs: SourceDoc[], id: string): SourceDoc => {
  const found = docs.find((d) => d.id === id);
  if (!found) throw new Error(`no ${id} among ${docs.map((d) => d.id).join(", ")}`);
  return found;
};

describe("DiscordApiConnector against a fake Discord REST API", () => {
  let world: World;
  beforeEach(async () => {
    world = await buildWorld({ archivedPageSize: 2 });
  });
  afterEach(async () => {
    await world.fake.stop();
  });

  it("first pull: pages a channel's history with before, lists active and archived forum posts, and yields every conversation", async () => {
    const { docs, issues, state } = await pull(world);
    expect(issues).toEqual([]);
    const { fake, ids } = world;

    // 127 messages in #help: newest 100, then before the oldest of those.
    const pages = fake.callsTo(`/channels/${HELP}/messages`);
    expect(pages.map((c) => c.query)).toEqual([{ limit: "100" }, { limit: "100", before: expect.any(String) }]);
    const firstPage = pages[0]!;
    expect(BigInt(pages[1]!.query.before!)).toBeGreaterThan(BigInt(ids.oldQuestion!));
    expect(firstPage.status).toBe(200);
    expect(fake.callsTo(`/guilds/${GUILD}/threads/active`)).toHaveLength(1);
    // Three archived posts, two a page: the second page asks for those archived before the last one seen.
    expect(fake.callsTo(`/channels/${FORUM}/threads/archived/public`).map((c) => c.query)).toEqual([
      { limit: "100" },
      { limit: "100", before: ago(40 - 7) },
    ]);
    expect(fake.callsTo(`/channels/${FORUM}/messages`)).toEqual([]);

    expect(docs).toHaveLength(60 + 1 + 1 + 4);
    const recent = doc(docs, `discord:${HELP}:${ids.question}`);
    expect(recent.url).toBe(`https://discord.com/channels/${GUILD}/${HELP}/${ids.question}`);
    expect(recent.thread?.messages.map((m) => [m.author, m.role, m.reactions])).toEqual([
      ["Maya", "customer", undefined],
      ["Sam (Acme)", "agent", undefined],
      ["Maya", "customer", ["✅"]],
    ]);
    expect(recent.thread?.messages[1]?.text).toBe("Hi @Maya! Settings > Network > upload limit. Ask @Support in #help-forum if not.");
    expect(recent.title).toBe("How do I stop Tidepool from eating all my upload bandwidth? :tidepool:");

    const thread = doc(docs, `discord:${ids.thread}`);
    expect(thread.title).toBe("Sync stuck at 99%");
    expect(thread.thread?.channel).toBe("#help");
    expect(thread.thread?.messages.map((m) => [m.author, m.text])).toEqual([
      ["li.wei", "Sync is stuck at 99% since this morning"],
      ["Sam (Acme)", "Close Outlook: a .pst file it holds open blocks sync."],
    ]);

    const post = doc(docs, `discord:${ids.active}`);
    expect(post).toMatchObject({ title: "Raspberry Pi error 4012", url: `https://discord.com/channels/${GUILD}/${ids.active}`, tags: ["Solved"] });
    expect(post.thread?.resolved).toBe(true);
    expect(doc(docs, `discord:${ids.archived1}`).tags).toEqual(["Bug"]);
    expect(doc(docs, `discord:${ids.archived1}`).thread?.resolved).toBeUndefined();
    expect(docs.map((d) => d.text).join("\n")).not.toContain("Daily reminder");

    // Member look-ups only for people who wrote, once each.
    expect(fake.calls.filter((c) => c.path.includes("/members/")).map((c) => c.path).sort()).toEqual(
      [maya, sam, li].map((u) => `/guilds/${GUILD}/members/${u.id}`).sort(),
    );
    expect(state).toMatchObject({ version: 1, channels: { [HELP]: { lastMessageId: ids.thread } } });
  });

  it("waits out a 429 for its Retry-After and completes the pull", async () => {
    const path = `/channels/${FORUM}/threads/archived/public`;
    world.fake.rateLimitOnce(path, 2);
    const { docs, issues } = await pull(world);
    expect(issues).toEqual([]);
    expect(docs).toHaveLength(66);
    const calls = world.fake.callsTo(path);
    expect(calls.map((c) => c.status)).toEqual([429, 200, 200]);
    // discord.js REST's own wait: Retry-After (2 s) plus its 50 ms offset, not the 1 s of llamadesk's fallback.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2000);
  });

  it("second pull with the saved state: reads after the look-back start, sees edits, new replies and deletions, skips quiet threads, still yields everything", async () => {
    const first = await pull(world);
    const { fake, ids } = world;
    fake.calls.length = 0;

    fake.editMessage(HELP, ids.answer!, "Settings > Network > set an upload limit of 500 KB/s.", ago(0, -60));
    fake.addMessage(HELP, { at: ago(0, -30), author: sam, content: "Update: 3.2 also has a schedule for limits.", replyTo: ids.answer! });
    fake.deleteThread(ids.archived2!);
    fake.addMessage(ids.active!, { at: ago(0, -10), author: li, content: "Works now, thanks!" });
    fake.deleteMessage(ids.thread!, ids.threadAnswer!);

    const second = await pull(world, first.state);
    expect(second.issues).toEqual([]);

    // #help: read forward from the start of the 14-day window (older than the last message seen).
    expect(fake.callsTo(`/channels/${HELP}/messages`).map((c) => c.query)).toEqual([{ limit: "100", after: snowflakeAt(NOW - 14 * DAY) }]);
    // Archived posts whose last message is unchanged and older than the window are not read again.
    expect(fake.callsTo(`/channels/${ids.archived1}/messages`)).toEqual([]);
    expect(fake.callsTo(`/channels/${ids.archived3}/messages`)).toEqual([]);
    // The active post changed: read again from the window's start.
    expect(fake.callsTo(`/channels/${ids.active}/messages`).map((c) => c.query.after)).toEqual([snowflakeAt(NOW - 14 * DAY)]);

    // 66 before, less the deleted post and the thread whose answer was deleted.
    expect(second.docs).toHaveLength(64);
    expect(second.docs.some((d) => d.id === `discord:${ids.archived2}`)).toBe(false);
    expect(doc(second.docs, `discord:${ids.archived1}`).contentHash).toBe(doc(first.docs, `discord:${ids.archived1}`).contentHash);
    // 60 old conversations come from the saved state, unchanged.
    const old = (docs: SourceDoc[]) => docs.filter((d) => d.text.includes("old question")).map((d) => [d.id, d.contentHash]);
    expect(old(second.docs)).toEqual(old(first.docs));
    expect(old(second.docs)).toHaveLength(60);

    const recent = doc(second.docs, `discord:${HELP}:${ids.question}`);
    expect(recent.thread?.messages.map((m) => [m.text, m.edited])).toEqual([
      ["How do I stop Tidepool from eating all my upload bandwidth? :tidepool:", undefined],
      ["Settings > Network > set an upload limit of 500 KB/s.", true],
      ["thanks, that worked!", undefined],
      ["Update: 3.2 also has a schedule for limits.", undefined],
    ]);
    expect(recent.updatedAt).toBe(ago(0, -30));
    expect(doc(second.docs, `discord:${ids.active}`).thread?.messages.at(-1)?.text).toBe("Works now, thanks!");
    // The deleted answer in the thread is gone, so the thread is a lone message: dropped.
    expect(second.docs.some((d) => d.id === `discord:${ids.thread}`)).toBe(false);

    // lookbackDays 0: only what is newer than the last message seen.
    fake.calls.length = 0;
    const helpLast = (second.state as { channels: Record<string, { lastMessageId: string }> }).channels[HELP]!.lastMessageId;
    fake.addMessage(HELP, { at: ago(0, -5), author: maya, content: "one more thing", replyTo: ids.answer! });
    const third = await pull(world, second.state, { lookbackDays: 0 });
    expect(fake.callsTo(`/channels/${HELP}/messages`).map((c) => c.query)).toEqual([{ limit: "100", after: helpLast }]);
    expect(doc(third.docs, `discord:${HELP}:${ids.question}`).thread?.messages.at(-1)?.text).toBe("one more thing");
  });

  it("backs off by itself on a 429 that lacks Retry-After (discord.js REST would retry it at once, without end)", async () => {
    const path = `/channels/${HELP}/messages`;
    world.fake.rateLimitOnce(path, 5, { header: false });
    world.fake.rateLimitOnce(path, 5, { header: false });
    const { docs } = await pull(world);
    expect(docs).toHaveLength(66);
    const calls = world.fake.callsTo(path);
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(2000);
  });

  it("keeps what it had for a channel the bot can no longer read, and says so", async () => {
    const first = await pull(world);
    world.fake.refuse(`/channels/${FORUM}`);
    const second = await pull(world, first.state);
    expect(second.issues).toEqual([{ file: `discord channel ${FORUM}`, message: expect.stringContaining("403 Missing Access") }]);
    expect(second.docs.map((d) => d.id).sort()).toEqual(first.docs.map((d) => d.id).sort());
  });

  it("warns when every message comes back empty (no Message Content intent)", async () => {
    const fake = new FakeDiscordRest({ token: TOKEN });
    fake.addGuild(GUILD, []);
    fake.addChannel({ id: HELP, guild_id: GUILD, name: "help", type: 0 });
    for (let i = 0; i < 4; i++) fake.addMessage(HELP, { at: ago(1, i), author: maya, content: "" });
    const apiUrl = await fake.start();
    try {
      const { docs, issues } = await pull({ fake, apiUrl, ids: {} }, undefined, { channels: [HELP] });
      expect(docs).toEqual([]);
      expect(issues).toEqual([{ file: "discord-api", message: expect.stringContaining("Message Content Intent") }]);
    } finally {
      await fake.stop();
    }
  });

  it("a rejected token is SOURCE_AUTH_FAILED naming the variable, never the token", async () => {
    const connector = new DiscordApiConnector({ channels: [HELP], token: "wrong-token-value", tokenSource: "the environment variable DISCORD_TOKEN", apiUrl: world.apiUrl });
    const error = await (async () => {
      for await (const _ of connector.pull()) void _;
    })().catch((e: unknown) => e);
    expect(isLlamadeskError(error, "SOURCE_AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain("DISCORD_TOKEN");
    expect((error as Error).message).not.toContain("wrong-token-value");
  });

  it("never puts the token in docs, issues or the saved state", async () => {
    const first = await pull(world);
    world.fake.refuse(`/channels/${HELP}`);
    const second = await pull(world, first.state);
    expect(JSON.stringify([first, second])).not.toContain(TOKEN);
    expect(JSON.stringify([first, second])).not.toContain("s3cr3t");
  });
});

describe("discord-api definition", () => {
  it("reads the token from the variable tokenEnv names; unset, it is SOURCE_CONFIG_INVALID naming the variable", () => {
    const options = definition.options.parse({ channels: [HELP], tokenEnv: "SUPPORT_DISCORD_TOKEN", lookbackDays: 7 });
    const error = (() => {
      try {
        definition.create(options, { baseDir: "/", env: () => undefined });
      } catch (e) {
        return e;
      }
    })();
    expect(isLlamadeskError(error, "SOURCE_CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toContain("SUPPORT_DISCORD_TOKEN");

    const defaults = definition.options.parse({ channels: [HELP] });
    const seen: string[] = [];
    const connector = definition.create(defaults, { baseDir: "/", env: (name) => (seen.push(name), TOKEN) });
    expect(seen).toEqual(["DISCORD_TOKEN"]);
    expect(connector.name).toBe("discord-api");
    expect(connector.origin).toBe(HELP);
  });

  it("rejects bad entries naming the field", () => {
    const check = (entry: object) => {
      const result = definition.options.safeParse(entry);
      return result.success ? "ok" : result.error.issues.map((i) => i.path.join(".")).join(",");
    };
    expect(check({ channels: ["general"] })).toBe("channels.0");
    expect(check({ channels: [HELP], token: "x" })).toBe("");
    expect(check({ channels: [HELP], lookbackDays: -1 })).toBe("lookbackDays");
    expect(check({ channels: [] })).toBe("channels");
  });
});

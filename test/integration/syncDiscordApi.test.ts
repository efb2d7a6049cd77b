import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDiscordRest, type FakeUser } from "../../connectors/discord-api/FakeDiscordRest.js";
import { snowflakeAt } from "../../connectors/discord-shared/snowflake.js";
import type { StoredDoc } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { runSync } from "../../src/sync/runSync.js";

const TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAw.GfAkE1.sync-test-secret";
const GUILD = "1090000000000000000";
const HELP = "1100000000000000001";
const FORUM = "1100000000000000003";
const ana: FakeUser = { id: "300000000000000001", username: "ana" };
const sam: FakeUser = { id: "300000000000000002", username: "sam" };
const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

// The whole path with a live Discord source: fake Discord REST on loopback -> `sync` (config entry,
// token from the environment, real discord-api connector, USE-lite, HNSW + BM25, cursor saved with
// the index) -> a post deleted and a reply edited at the source -> re-sync changes exactly that.
describe("sync of a Discord server through discord-api, then again after changes", () => {
  const embedder = new UseLiteEmbedder();
  const fake = new FakeDiscordRest({ token: TOKEN });
  let work: string;
  let apiUrl: string;
  const ids: Record<string, string> = {};

  const sync = async () => {
    const sources = await configuredSources([{ connector: "discord-api", channels: [HELP, FORUM], apiUrl, supportUsers: ["sam"] }], {
      configPath: "llamadesk.config.json",
      baseDir: work,
      env: (name) => (name === "DISCORD_TOKEN" ? TOKEN : undefined),
    });
    return (await runSync({ store: await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder, create: true }), embedder, sources })).results[0]!;
  };
  const docs = async () => new Map((await (await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder })).listDocs()).map((d): [string, StoredDoc] => [d.id, d]));

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-discord-"));
    fake.addGuild(GUILD, []);
    fake.addChannel({ id: HELP, guild_id: GUILD, name: "help", type: 0 });
    fake.addChannel({ id: FORUM, guild_id: GUILD, name: "help-forum", type: 15, available_tags: [{ id: "1103000000000000001", name: "Solved" }] });
    const q = fake.addMessage(HELP, { at: ago(30), author: ana, content: "The desktop app uses all my upload bandwidth, can I cap it?" });
    ids.question = q.id as string;
    ids.answer = fake.addMessage(HELP, { at: ago(29), author: sam, content: "Yes: Preferences > Network > Limit upload rate.", replyTo: ids.question }).id as string;
    for (const [key, hours, title, answer] of [
      ["email", 20, "How do I move my account to another email address?", "Settings > Account > Change email, then confirm from both inboxes."],
      ["trash", 10, "Can I restore a file I deleted last week?", "Open Trash on the web app; files stay there for 30 days."],
    ] as const) {
      ids[key] = fake.snowflake(ago(hours));
      fake.addThread({ id: ids[key], guild_id: GUILD, parent_id: FORUM, name: title, applied_tags: ["1103000000000000001"] });
      fake.addMessage(ids[key], { id: ids[key], at: ago(hours), author: ana, content: title });
      fake.addMessage(ids[key], { at: ago(hours - 1), author: sam, content: answer });
    }
    apiUrl = await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    await embedder.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("re-sync after one post is deleted and one reply edited changes exactly those two docs, reading only after the saved cursor's window", async () => {
    const first = await sync();
    expect(first.error).toBeUndefined();
    expect(first.counts).toMatchObject({ read: 3, added: 3 });
    const before = await docs();
    expect([...before.keys()].sort()).toEqual([`discord:${HELP}:${ids.question}`, `discord:${ids.email}`, `discord:${ids.trash}`].sort());
    expect(before.get(`discord:${ids.trash}`)?.url).toBe(`https://discord.com/channels/${GUILD}/${ids.trash}`);

    fake.calls.length = 0;
    fake.deleteThread(ids.email!);
    fake.editMessage(HELP, ids.answer!, "Yes: Preferences > Network > Limit upload rate, e.g. to 500 KB/s.", ago(1));
    const second = await sync();
    expect(second.error).toBeUndefined();
    expect(second.counts).toMatchObject({ read: 2, added: 0, updated: 1, deleted: 1, unchanged: 1, chunksEmbedded: 1 });
    // The cursor came back from the index: #help was read forward from the 14-day window's start, not from scratch.
    const reads = fake.callsTo(`/channels/${HELP}/messages`).map((c) => c.query);
    expect(reads).toHaveLength(1);
    expect(BigInt(reads[0]!.after!)).toBeLessThanOrEqual(BigInt(snowflakeAt(Date.now() - 14 * 86_400_000)));
    expect(reads[0]!.before).toBeUndefined();

    const after = await docs();
    expect(after.has(`discord:${ids.email}`)).toBe(false);
    expect(after.get(`discord:${ids.trash}`)).toEqual(before.get(`discord:${ids.trash}`));
    const [best] = await new HybridRetriever({ store: await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder }), embedder }).retrieve("limit how fast the app uploads", { k: 1 });
    expect(best?.docId).toBe(`discord:${HELP}:${ids.question}`);
    expect(best?.text).toContain("500 KB/s");
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GqlComment } from "../../connectors/github-discussions/discussionQueries.js";
import { FakeGitHubGraphql, type FakeDiscussion } from "../../connectors/github-discussions/FakeGitHubGraphql.js";
import { createBot } from "../../src/bot.js";
import type { BotEvent } from "../../src/BotEvent.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { resolveMiningRules } from "../../src/mining/MiningConfig.js";
import { openReviewQueue } from "../../src/openStateStores.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { createMiningStep } from "../../src/sync/createMiningStep.js";
import { runSync } from "../../src/sync/runSync.js";

const TOKEN = "ghp_fakeTokenForTheLoopbackServer0000000";
const REPO = "acme/widgets";
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
let ids = 0;
const comment = (login: string, association: string, text: string, minutesAgo: number, extra: Partial<GqlComment> = {}): GqlComment => ({
  id: `DC_${++ids}`,
  bodyText: text,
  createdAt: at(minutesAgo),
  author: { login, __typename: login.endsWith("[bot]") ? "Bot" : "User" },
  authorAssociation: association,
  isAnswer: false,
  replies: { nodes: [] },
  ...extra,
});
const discussion = (number: number, title: string, body: string, minutesAgo: number, comments: GqlComment[], extra: Partial<FakeDiscussion> = {}): FakeDiscussion => ({
  id: `D_${number}`,
  number,
  title,
  url: `https://github.com/${REPO}/discussions/${number}`,
  bodyText: body,
  createdAt: at(minutesAgo + 60),
  updatedAt: at(minutesAgo),
  isAnswered: comments.some((c) => c.isAnswer),
  author: { login: "dana", __typename: "User" },
  authorAssociation: "NONE",
  category: { name: "Q&A", slug: "q-a" },
  labels: { nodes: [] },
  comments,
  ...extra,
});

// Fake GitHub GraphQL on loopback -> `sync` (config entry, token from the environment, the real
// github-discussions connector, USE-lite, HNSW + BM25, mining into the SQLite review queue) -> a
// candidate approved -> the bot answers with it; then a deletion, a new answer and rate limits.
describe("sync of GitHub Discussions, mined into the review queue", () => {
  const embedder = new UseLiteEmbedder();
  const fake = new FakeGitHubGraphql({ token: TOKEN, repo: REPO });
  let work: string;
  let apiUrl: string;

  const sync = async (entry: Record<string, unknown> = {}, env: Record<string, string> = { GITHUB_TOKEN: TOKEN }) => {
    const sources = await configuredSources([{ connector: "github-discussions", name: "discussions", repo: REPO, apiUrl, categories: ["Q&A"], ...entry }], {
      configPath: "llamadesk.config.json",
      baseDir: work,
      env: (name) => env[name],
    });
    const mining = await createMiningStep({ queue: { path: join(work, "review.sqlite") }, embedder, rules: resolveMiningRules() });
    try {
      const store = await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder, create: true });
      return (await runSync({ store, embedder, sources: [...sources, mining.reviewedSource], afterPull: mining.afterPull })).results;
    } finally {
      await mining.dispose();
    }
  };
  const docs = async () => (await (await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder })).listDocs()).map((d) => d.id).sort();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-github-"));
    fake.discussions.push(
      discussion(1, "Webhook deliveries fail with a 401", "Our webhook endpoint gets 401 on every delivery since yesterday. What changed?", 300, [
        comment("dana", "NONE", "Also the retries all fail.", 290),
        comment("maya", "MEMBER", "Webhook signatures now use the new signing secret: copy it from Settings > Webhooks > Signing secret and update your endpoint's verification.", 280, {
          isAnswer: true,
          replies: { nodes: [{ id: "DC_r1", bodyText: "Rotated the secret, deliveries work again. Thanks!", createdAt: at(270), author: { login: "dana", __typename: "User" }, authorAssociation: "NONE" }] },
        }),
      ]),
      discussion(2, "Is there a dark mode?", "The dashboard is too bright at night.", 200, [comment("sam", "NONE", "+1, would love this", 190)]),
      discussion(3, "Weekly digest emails", "Announcement: weekly digests ship next month.", 150, [], { category: { name: "Announcements", slug: "announcements" } }),
      // A long thread: its comments come in more than one page.
      discussion(4, "Export to Parquet?", "Can exports be written as Parquet files?", 100, [
        ...Array.from({ length: 104 }, (_, i) => comment(`user${i}`, "NONE", `Same question here (${i}).`, 99 - i / 200)),
        comment("acme-helper", "NONE", "Yes: choose Parquet under Export > Format (beta).", 50, { isAnswer: true }),
      ]),
    );
    apiUrl = await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    await embedder.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("pulls discussions of the chosen categories as chat threads and mines the answered ones; an approved one answers the bot", async () => {
    fake.secondaryLimits = 1; // the first request meets a secondary rate limit (403, retry-after: 1) and is sent again
    const [result, reviewed] = await sync({ supportUsers: ["acme-helper"] });
    expect(result?.error).toBeUndefined();
    expect(result?.counts).toMatchObject({ read: 3, added: 3 });
    expect(await docs()).toEqual([`github:${REPO}#1`, `github:${REPO}#2`, `github:${REPO}#4`]);
    // Answered discussions #1 and #4 are mined; #2 has no answer; #3 is another category.
    expect(result?.extra).toEqual({ "new candidate(s)": 2, merged: 0 });
    expect(fake.callsTo("DiscussionComments")).toHaveLength(1);
    expect(reviewed?.counts).toMatchObject({ read: 0 });

    const queue = await openReviewQueue({ path: join(work, "review.sqlite") });
    try {
      const pending = await queue.list({ status: "pending" });
      const webhook = pending.find((c) => c.threadId === `github:${REPO}#1`)!;
      expect(webhook.answer).toContain("new signing secret");
      expect(pending.find((c) => c.threadId === `github:${REPO}#4`)?.answer).toContain("Parquet under Export > Format");
      await queue.approve(webhook.id, { question: "Why do webhook deliveries fail with 401?" });
    } finally {
      await queue.dispose();
    }
    const [, synced] = await sync();
    expect(synced?.counts).toMatchObject({ read: 1, added: 1 });

    const store = await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder });
    const bot = createBot({ knowledge: store, embedder, store: await SqliteConversationStore.open({ path: join(work, "conversations.sqlite") }), prompts: await loadPrompts(), policy: { product: "Acme", mode: "extractive" } });
    try {
      const events: BotEvent[] = [];
      for await (const event of bot.ask({ conversationId: "gh-1", text: "Why do webhook deliveries fail with 401?" })) events.push(event);
      const done = events.find((e) => e.type === "done");
      expect(done?.type === "done" && done.answer).toContain("new signing secret");
      const sources = events.find((e) => e.type === "sources");
      expect(JSON.stringify(sources)).toContain(`https://github.com/${REPO}/discussions/1`);
    } finally {
      await bot.dispose();
    }
  });

  it("reads incrementally from the saved cursor, and a full listing drops a deleted discussion", async () => {
    fake.calls.length = 0;
    fake.discussions.find((d) => d.number === 2)!.comments.push(comment("maya", "MEMBER", "Yes: Settings > Appearance > Dark.", 1, { isAnswer: true }));
    Object.assign(fake.discussions.find((d) => d.number === 2)!, { isAnswered: true, updatedAt: at(1) });
    const [incremental] = await sync();
    expect(incremental?.counts).toMatchObject({ read: 3, updated: 1, unchanged: 2, deleted: 0 });
    expect(incremental?.extra).toEqual({ "new candidate(s)": 1, merged: 0 });
    // Only the first page was read: it reached the cursor. #4, updated at the cursor, is read again
    // (the 5-minute overlap), so its second page of comments is fetched once more.
    expect(fake.callsTo("Discussions")).toHaveLength(1);
    expect(fake.callsTo("DiscussionComments")).toHaveLength(1);

    fake.discussions.splice(fake.discussions.findIndex((d) => d.number === 4), 1);
    const [kept] = await sync();
    expect(kept?.counts).toMatchObject({ deleted: 0 }); // an incremental read cannot see a deletion...
    const [full] = await sync({ fullListingHours: 0 });
    expect(full?.counts).toMatchObject({ read: 2, deleted: 1 }); // ...a full listing does
    expect((await docs()).filter((id) => id.startsWith("github:"))).toEqual([`github:${REPO}#1`, `github:${REPO}#2`]);
  });

  it("reports a bad token, an unknown repository and an unset variable as coded errors, leaving the index alone", async () => {
    const before = await docs();
    const [badToken] = await sync({}, { GITHUB_TOKEN: "ghp_wrong" });
    expect(badToken?.error).toMatchObject({ code: "SOURCE_AUTH_FAILED", message: expect.stringContaining("GITHUB_TOKEN") });
    expect(badToken?.error?.message).not.toContain("ghp_wrong");
    const [badRepo] = await sync({ repo: "acme/nope" });
    expect(badRepo?.error).toMatchObject({ code: "SOURCE_CONFIG_INVALID", message: expect.stringContaining("acme/nope") });
    const [unset] = await sync({ tokenEnv: "GH_DISCUSSIONS_TOKEN" });
    expect(unset?.error).toMatchObject({ code: "SOURCE_CONFIG_INVALID", message: expect.stringContaining("GH_DISCUSSIONS_TOKEN is not set") });
    await expect(sync({ repo: "not a repo" })).rejects.toThrow(/sources\.0\.repo: must be "owner\/name"/);
    expect(await docs()).toEqual(before);
  });
});

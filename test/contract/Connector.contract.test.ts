import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DiscordApiConnector } from "../../connectors/discord-api/index.js";
import { FakeDiscordRest } from "../../connectors/discord-api/FakeDiscordRest.js";
import { DiscordExportConnector } from "../../connectors/discord-export/index.js";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { FakeGitHubGraphql, type FakeDiscussion } from "../../connectors/github-discussions/FakeGitHubGraphql.js";
import { GitHubDiscussionsConnector } from "../../connectors/github-discussions/index.js";
import { FakeIntercomApi } from "../../connectors/intercom-articles/FakeIntercomApi.js";
import { IntercomArticlesConnector } from "../../connectors/intercom-articles/index.js";
import { ReviewedFaqConnector } from "../../connectors/reviewed-faq/index.js";
import { FakeSlackWebApi } from "../../connectors/slack-api/FakeSlackWebApi.js";
import { SlackApiConnector } from "../../connectors/slack-api/index.js";
import { SlackExportConnector } from "../../connectors/slack-export/SlackExportConnector.js";
import { TranscriptsConnector } from "../../connectors/transcripts/index.js";
import { WebsiteConnector } from "../../connectors/website/index.js";
import { helpPage, TestHelpSite } from "../../connectors/website/TestHelpSite.js";
import { FakeZendeskHelpCenter } from "../../connectors/zendesk-help-center/FakeZendeskHelpCenter.js";
import { ZendeskHelpCenterConnector } from "../../connectors/zendesk-help-center/index.js";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { connectorContract } from "./Connector.contract.js";

const fixtures = (connector: string) => fileURLToPath(new URL(`../../connectors/${connector}/fixtures/`, import.meta.url));
const tempDir = () => mkdtemp(join(tmpdir(), "llamadesk-contract-"));

connectorContract("faq-files", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "billing.md"), "# How do I get a refund?\nWithin 30 days.\n\n# Can I pay by invoice?\nYes, yearly plans.\n");
  await writeFile(join(dir, "account.md"), "# How do I reset my password?\nUse the Forgot password link.\n");
  return {
    connector: () => new FaqFilesConnector({ paths: [dir] }),
    removeOne: () => rm(join(dir, "account.md")),
    broken: () => new FaqFilesConnector({ paths: [fixtures("faq-files")] }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

connectorContract("transcripts", async () => {
  const dir = await tempDir();
  const line = (id: string, q: string, a: string) => JSON.stringify({ id, messages: [{ role: "customer", text: q }, { role: "agent", text: a }], resolved: true });
  const write = (lines: string[]) => writeFile(join(dir, "chats.jsonl"), `${lines.join("\n")}\n`);
  await write([line("c1", "My CSV export is empty", "Pick a date range first."), line("c2", "Can I change my email?", "Settings > Account.")]);
  return {
    connector: () => new TranscriptsConnector({ paths: [join(dir, "chats.jsonl")] }),
    removeOne: () => write([line("c1", "My CSV export is empty", "Pick a date range first.")]),
    broken: async () => {
      const bad = join(dir, "bad.jsonl");
      await writeFile(bad, `${line("c3", "Hi", "Hello")}\n{not json\n`);
      return new TranscriptsConnector({ paths: [bad] });
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

connectorContract("reviewed-faq", async () => {
  const dir = await tempDir();
  const path = join(dir, "review.sqlite");
  const queue = await SqliteReviewQueue.open({ path });
  const thread = (id: string, q: string, a: string): ChatThread => ({ id, platform: "transcript", messages: [{ id: "1", author: "ana", role: "customer", text: q }, { id: "2", author: "sam", role: "agent", text: a }] });
  const ids: string[] = [];
  for (const [id, q, a] of [["t1", "Can I export to CSV?", "Yes, from Reports."], ["t2", "Is there an API?", "Yes, REST, under Settings > API."]] as const) {
    const candidate = await queue.add({ thread: thread(id, q, a), question: q, answer: a, answerMessageIds: ["2"], signals: [], extractedBy: "rules" });
    await queue.approve(candidate.id);
    ids.push(candidate.id);
  }
  return {
    connector: () => new ReviewedFaqConnector({ queue: path }),
    removeOne: async () => void (await queue.reject(ids[1]!)),
    broken: async () => {
      await writeFile(join(dir, "notes.sqlite"), "these are notes, not a review queue\n".repeat(200));
      return new ReviewedFaqConnector({ queue: join(dir, "notes.sqlite") });
    },
    dispose: async () => {
      await queue.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

connectorContract("slack-export", async () => {
  const dir = await tempDir();
  await cp(join(fixtures("slack-export"), "acme-export"), join(dir, "export"), { recursive: true });
  return {
    connector: () => new SlackExportConnector({ path: join(dir, "export") }),
    removeOne: () => rm(join(dir, "export", "support", "2024-03-07.json")),
    broken: async () => {
      await writeFile(join(dir, "export", "support", "2024-03-08.json"), "[{ not json");
      return new SlackExportConnector({ path: join(dir, "export") });
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

connectorContract("discord-export", async () => {
  const dir = await tempDir();
  const forum = "Tidepool Community - help-forum - [SOLVED] Raspberry Pi client error 4012 [1214875120435200023].json";
  for (const file of ["Tidepool Community - Support - help [1100000000000000001] [part 1].json", "Tidepool Community - Support - help [1100000000000000001] [part 2].json", forum]) {
    await cp(join(fixtures("discord-export"), file), join(dir, file));
  }
  return {
    connector: () => new DiscordExportConnector({ paths: [dir], supportRoles: ["support"] }),
    removeOne: () => rm(join(dir, forum)),
    broken: () => new DiscordExportConnector({ paths: [join(fixtures("discord-export"), "odd-shapes.json")] }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

connectorContract("slack-api", async () => {
  const fake = await FakeSlackWebApi.start({ token: "xoxb-contract" });
  fake.addChannel("C01SUPPORT", "support");
  fake.addUser({ id: "U01ALICE", name: "alice", real_name: "Alice Chen" });
  fake.addUser({ id: "U02BOB", name: "bob", real_name: "Bob Ortiz" });
  const base = Math.floor(Date.now() / 1000) - 3 * 86_400;
  const ts = (hours: number) => `${base + hours * 3600}.000100`;
  fake.post("C01SUPPORT", { ts: ts(0), user: "U01ALICE", text: "Sync fails with ERR_QUOTA" });
  fake.post("C01SUPPORT", { ts: ts(1), thread_ts: ts(0), user: "U02BOB", text: "Run tidepool quota --refresh" });
  fake.post("C01SUPPORT", { ts: ts(5), user: "U01ALICE", text: "Is there a dark mode?" });
  const connector = (channels = ["C01SUPPORT"]) => new SlackApiConnector({ channels, token: fake.token, tokenName: "SLACK_BOT_TOKEN", apiUrl: fake.url, supportUsers: ["bob"] });
  return {
    connector: () => connector(),
    removeOne: async () => fake.delete("C01SUPPORT", ts(5)),
    broken: () => connector(["C01SUPPORT", "C09MISSING"]),
    dispose: () => fake.stop(),
  };
});

connectorContract("discord-api", async () => {
  const token = "MTEwMDAwMDAwMDAwMDAwMDAw.GfAkE1.contract";
  const fake = new FakeDiscordRest({ token });
  const guild = "1090000000000000000";
  const forum = "1100000000000000003";
  fake.addGuild(guild, []);
  fake.addChannel({ id: forum, guild_id: guild, name: "help-forum", type: 15 });
  const ana = { id: "300000000000000001", username: "ana" };
  const sam = { id: "300000000000000002", username: "sam" };
  const threads: string[] = [];
  for (const [hours, title, answer] of [[20, "How do I move my account to another email?", "Settings > Account > Change email."], [10, "Can I restore a deleted file?", "Open Trash; files stay 30 days."]] as const) {
    const at = new Date(Date.now() - hours * 3_600_000).toISOString();
    const id = fake.snowflake(at);
    threads.push(id);
    fake.addThread({ id, guild_id: guild, parent_id: forum, name: title });
    fake.addMessage(id, { id, at, author: ana, content: title });
    fake.addMessage(id, { at: new Date(Date.now() - (hours - 1) * 3_600_000).toISOString(), author: sam, content: answer });
  }
  const apiUrl = await fake.start();
  return {
    connector: () => new DiscordApiConnector({ channels: [forum], token, apiUrl, supportUsers: ["sam"] }),
    removeOne: async () => fake.deleteThread(threads[0]!),
    broken: () => new DiscordApiConnector({ channels: [forum], token: "wrong.token.value", tokenSource: "DISCORD_TOKEN", apiUrl }),
    dispose: () => fake.stop(),
  };
});

connectorContract("website", async () => {
  const site = new TestHelpSite();
  const base = await site.start();
  for (const [path, title, text] of [["/help/refunds", "Refunds", "Annual plans are refundable within 30 days."], ["/help/invoices", "Invoices", "Invoices are under Billing > History."], ["/help/status", "Status", "Incidents are posted on the status page."]] as const) {
    site.pages.set(path, { html: helpPage(title, `<h1>${title}</h1><p>${text}</p><h2 id="more">More help</h2><p>Write to support about ${title.toLowerCase()}.</p>`) });
  }
  site.sitemap = [["/help/refunds", "/help/invoices"], ["/help/status"]];
  return {
    connector: () => new WebsiteConnector({ sitemap: `${base}/sitemap.xml` }),
    removeOne: async () => void site.pages.delete("/help/status"),
    broken: () => {
      site.pages.set("/help/status", { error: 500 });
      return new WebsiteConnector({ sitemap: `${base}/sitemap.xml` });
    },
    dispose: () => site.stop(),
  };
});

connectorContract("github-discussions", async () => {
  const fake = new FakeGitHubGraphql({ token: "ghp_contract", repo: "acme/widgets" });
  const discussion = (n: number, title: string, answer: string): FakeDiscussion => ({
    id: `D_${n}`, number: n, title, url: `https://github.com/acme/widgets/discussions/${n}`, bodyText: title, createdAt: "2026-01-0" + n + "T10:00:00Z", updatedAt: "2026-01-0" + n + "T12:00:00Z", isAnswered: true,
    author: { login: "dana" }, authorAssociation: "NONE", category: { name: "Q&A", slug: "q-a" }, labels: { nodes: [] },
    comments: [{ id: `C_${n}`, bodyText: answer, createdAt: "2026-01-0" + n + "T11:00:00Z", author: { login: "maya" }, authorAssociation: "MEMBER", isAnswer: true, replies: { nodes: [] } }],
  });
  fake.discussions.push(discussion(1, "Webhooks fail with 401?", "Rotate the signing secret."), discussion(2, "Dark mode?", "Settings > Appearance."));
  const apiUrl = await fake.start();
  return {
    // A full listing every pull (fullListingHours 0), so a deletion shows at once.
    connector: () => new GitHubDiscussionsConnector({ repo: "acme/widgets", token: "ghp_contract", apiUrl, fullListingHours: 0 }),
    removeOne: async () => void fake.discussions.splice(0, 1),
    broken: () => new GitHubDiscussionsConnector({ repo: "acme/widgets", token: "ghp_wrong", tokenSource: "GITHUB_TOKEN", apiUrl }),
    dispose: () => fake.stop(),
  };
});

connectorContract("zendesk-help-center", async () => {
  const authorization = "Bearer zd-contract";
  const fake = new FakeZendeskHelpCenter({ authorization });
  const article = (id: number, title: string, body: string) => ({ id, title, body, html_url: `https://help.acme.test/hc/en-us/articles/${id}`, locale: "en-us", section_id: 10, draft: false, updated_at: "2026-01-01T10:00:00Z" });
  fake.articles.push(article(1, "Refunds", "<p>Within 30 days.</p>"), article(2, "Invoices", "<p>Under Billing.</p>"), article(3, "Taxes", "<p>VAT per line.</p>"));
  const baseUrl = await fake.start();
  return {
    connector: () => new ZendeskHelpCenterConnector({ baseUrl, authorization, fullListingHours: 0 }),
    removeOne: async () => void fake.articles.splice(2, 1),
    broken: () => new ZendeskHelpCenterConnector({ baseUrl, authorization: "Bearer wrong", credential: "ZENDESK_OAUTH_TOKEN" }),
    dispose: () => fake.stop(),
  };
});

connectorContract("intercom-articles", async () => {
  const fake = new FakeIntercomApi({ token: "ic-contract" });
  const article = (id: string, title: string, body: string) => ({ id, title, body, url: `https://intercom.help/acme/en/articles/${id}`, state: "published" as const, parent_id: "7", updated_at: 1_700_000_000 });
  fake.articles.push(article("1", "Inviting teammates", "<p>Settings &gt; Team.</p>"), article("2", "Exports", "<p>Reports &gt; Export.</p>"), article("3", "SSO", "<p>Enterprise plans.</p>"));
  const apiUrl = await fake.start();
  return {
    connector: () => new IntercomArticlesConnector({ token: "ic-contract", apiUrl }),
    removeOne: async () => void fake.articles.splice(2, 1),
    broken: () => new IntercomArticlesConnector({ token: "wrong", credential: "INTERCOM_TOKEN", apiUrl }),
    dispose: () => fake.stop(),
  };
});

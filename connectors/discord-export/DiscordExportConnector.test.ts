import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { definition, DiscordExportConnector, type DiscordExportConnectorOptions } from "./index.js";

const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));
const GUILD = "1090000000000000000";
const HELP = "1100000000000000001";
const THREAD = "1214573130547200000";
const SOLVED_POST = "1214875120435200023";
const TAGGED_POST = "1215328105267200026";

async function pullAll(options: Partial<DiscordExportConnectorOptions> = {}): Promise<{ docs: SourceDoc[]; issues: SourceIssue[] }> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  const connector = new DiscordExportConnector({ paths: [fixtures], supportRoles: ["support"], ...options });
  for await (const doc of connector.pull({ onIssue: (issue) => issues.push(issue) })) docs.push(doc);
  return { docs, issues };
}

const byId = (docs: SourceDoc[], id: string): SourceDoc => {
  const doc = docs.find((d) => d.id === id);
  if (!doc) throw new Error(`no doc ${id} among ${docs.map((d) => d.id).join(", ")}`);
  return doc;
};

describe("DiscordExportConnector", () => {
  it("rebuilds conversations: reply chains of a text channel (across partition files), a thread, forum posts", async () => {
    const { docs } = await pullAll();
    expect(docs.map((d) => [d.id, `${d.location?.file}:${d.location?.line}`])).toEqual([
      [`discord:${HELP}:1214139028987707394`, "Tidepool Community - Support - help [1100000000000000001] [part 1].json:46"],
      [`discord:${HELP}:1214165947514880007`, "Tidepool Community - Support - help [1100000000000000001] [part 1].json:296"],
      [`discord:${HELP}:1214361485967360013`, "Tidepool Community - Support - help [1100000000000000001] [part 1].json:503"],
      [`discord:${HELP}:1214497633075200015`, "Tidepool Community - Support - help [1100000000000000001] [part 2].json:76"],
      [`discord:${THREAD}`, "Tidepool Community - help - Sync stuck at 99% [1214573130547200000].json:21"],
      [`discord:${SOLVED_POST}`, "Tidepool Community - help-forum - [SOLVED] Raspberry Pi client error 4012 [1214875120435200023].json:21"],
      [`discord:${TAGGED_POST}`, "forum-tagged/dark-mode [1215328105267200026].json:25"],
      ["discord:1100000000000000004:1215584796672000028", "odd-shapes.json:21"],
      ["discord:1100000000000000005:1215932085043200033", "truncated/Tidepool Community - Support - setup [1100000000000000005].json:21"],
    ]);
    expect(docs.every((d) => d.kind === "chat" && d.thread?.platform === "discord")).toBe(true);

    // The answer to a question in part 1 sits in part 2: still one conversation.
    const annual = byId(docs, `discord:${HELP}:1214361485967360013`);
    expect(annual.thread?.messages.map((m) => m.author)).toEqual(["Jo", "Sam (Acme)"]);
    expect(annual.text).toContain("two months cheaper");

    // A question typed as two messages, answered as a reply to the second: one conversation.
    const folders = byId(docs, `discord:${HELP}:1214165947514880007`);
    expect(folders.thread?.messages.map((m) => m.text)).toEqual([
      "Question about shared folders:",
      "can a client see files I add later to a folder I shared with them?",
      "Yes, everything you add to a shared folder shows up for everyone it is shared with. Reminder set for 2024-03-05 01:00 UTC.",
    ]);
  });

  it("gives each conversation a jump link, the question as title, and keeps a reply chain to its own messages", async () => {
    const { docs } = await pullAll();
    const bandwidth = byId(docs, `discord:${HELP}:1214139028987707394`);
    expect(bandwidth.url).toBe(`https://discord.com/channels/${GUILD}/${HELP}/1214139028987707394`);
    expect(bandwidth.title).toBe("How do I stop Tidepool from eating all my upload bandwidth? My video calls stutter whenever it syncs :tidepool:");
    expect(bandwidth.thread?.channel).toBe("#help");
    expect(bandwidth.thread?.messages.map((m) => [m.author, m.authorId, m.role])).toEqual([
      ["Maya", "300000000000000001", "customer"],
      ["Sam (Acme)", "300000000000000002", "agent"],
      ["Maya", "300000000000000001", "customer"],
    ]);
    const thread = byId(docs, `discord:${THREAD}`);
    expect(thread.url).toBe(`https://discord.com/channels/${GUILD}/${THREAD}`);
  });

  it("decodes Discord markup from the mentions, roles and channels the export knows", async () => {
    const { docs } = await pullAll();
    const answer = byId(docs, `discord:${HELP}:1214139028987707394`).thread!.messages[1]!;
    expect(answer.text).toBe(
      "Hi @Maya! Open Settings > Network and set an upload limit, e.g. 500 KB/s. See also #help-forum and ping @Support if it keeps happening.",
    );
    for (const doc of docs) expect(doc.text).not.toMatch(/<[@#:]|<t:/);
  });

  it("keeps reactions and edits: the edited text, edited: true, and the edit time in updatedAt", async () => {
    const { docs } = await pullAll();
    const bandwidth = byId(docs, `discord:${HELP}:1214139028987707394`).thread!;
    expect(bandwidth.messages.map((m) => m.reactions)).toEqual([undefined, undefined, ["✅"]]);
    expect(bandwidth.messages.map((m) => m.edited)).toEqual([undefined, true, undefined]);

    const thread = byId(docs, `discord:${THREAD}`);
    expect(thread.thread?.messages[3]).toMatchObject({ edited: true, text: "Close Outlook and sync resumes; Tidepool cannot copy a file another app holds open." });
    expect(thread.thread?.messages[4]?.reactions).toEqual(["🎉"]);
    // The last message (14:20) is later than the edit (14:13:30).
    expect(thread.updatedAt).toBe("2024-03-05T14:20:00.000Z");
    expect(byId(docs, `discord:${HELP}:1214165947514880007`).updatedAt).toBe("2024-03-04T11:10:00.000Z");
  });

  it("reads a thread started from a channel message: its title, its parent channel, and the message it started from first", async () => {
    const { docs } = await pullAll();
    const thread = byId(docs, `discord:${THREAD}`);
    expect(thread.title).toBe("Sync stuck at 99%");
    expect(thread.thread?.channel).toBe("#help");
    expect(thread.thread?.messages.map((m) => [m.author, m.role])).toEqual([
      ["Priya", "customer"],
      ["Sam (Acme)", "agent"],
      ["Priya", "customer"],
      ["Sam (Acme)", "agent"],
      ["Priya", "customer"],
    ]);
    expect(thread.thread?.messages[0]?.text).toBe("Sync is stuck at 99% on my laptop since this morning, any idea?");
    expect(thread.thread?.resolved).toBeUndefined();
  });

  it("reads forum posts: title, tags, and resolved from a solved tag or a [SOLVED] title", async () => {
    const { docs } = await pullAll();
    const solved = byId(docs, `discord:${SOLVED_POST}`);
    expect(solved.title).toBe("[SOLVED] Raspberry Pi client error 4012");
    expect(solved.thread?.channel).toBe("#help-forum");
    expect(solved.tags).toEqual(["solved"]);
    expect(solved.thread?.resolved).toBe(true);

    const tagged = byId(docs, `discord:${TAGGED_POST}`);
    expect(tagged.tags).toEqual(["Feature request", "Answered"]);
    expect(tagged.thread?.resolved).toBe(true);
  });

  it("drops system messages, joins, pins, bot-only chatter, embeds without text and lone unanswered messages", async () => {
    const { docs } = await pullAll();
    const all = docs.map((d) => d.text).join("\n");
    expect(all).not.toContain("Joined the server");
    expect(all).not.toContain("Daily reminder");
    expect(all).not.toContain("Carl-bot");
    expect(all).not.toContain("anyone here use the Linux build?");
    // The "started a thread" notice in #help is not a conversation of its own.
    expect(docs.filter((d) => d.text.includes("Sync stuck at 99%"))).toEqual([]);
    // minMessages: 1 keeps the lone message.
    const { docs: loose } = await pullAll({ minMessages: 1 });
    expect(loose.some((d) => d.text.includes("anyone here use the Linux build?"))).toBe(true);
    expect(loose.some((d) => d.text.includes("Daily reminder"))).toBe(false);
  });

  it("keeps a bot's message inside a human conversation, with the bot role", async () => {
    const temp = await mkdtemp(join(tmpdir(), "llamadesk-discord-"));
    try {
      const file = join(temp, "bot.json");
      const user = (id: string, name: string, isBot = false) => ({ id, name, discriminator: "0000", nickname: name, color: null, isBot, roles: [], avatarUrl: "" });
      const message = (id: string, author: object, content: string, reference?: string) => ({
        id,
        type: reference ? "Reply" : "Default",
        timestamp: "2024-03-10T10:00:00+00:00",
        timestampEdited: null,
        isPinned: false,
        content,
        author,
        attachments: [],
        embeds: [],
        stickers: [],
        reactions: [],
        mentions: [],
        ...(reference ? { reference: { messageId: reference, channelId: "7", guildId: "1" } } : {}),
      });
      await writeFile(
        file,
        JSON.stringify({
          guild: { id: "1", name: "G", iconUrl: "" },
          channel: { id: "7", type: "GuildTextChat", categoryId: null, category: null, name: "help", topic: null },
          dateRange: { after: null, before: null },
          messages: [message("10", user("2", "ana"), "!faq refunds"), message("11", user("3", "FAQ Bot", true), "Refunds take 5 days.", "10")],
          messageCount: 2,
        }),
      );
      const docs: SourceDoc[] = [];
      for await (const doc of new DiscordExportConnector({ paths: [file] }).pull()) docs.push(doc);
      expect(docs.map((d) => d.thread?.messages.map((m) => m.role))).toEqual([["customer", "bot"]]);
      expect(docs[0]?.location).toEqual({ file: "bot.json", line: 1 });
      expect(docs[0]?.url).toBe("https://discord.com/channels/1/7/10");
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });

  it("marks agents by supportUsers (id, username or display name) and, without any support config, nobody", async () => {
    const { docs: byName } = await pullAll({ supportRoles: [], supportUsers: ["SAM_ACME"] });
    expect(byId(byName, `discord:${THREAD}`).thread?.messages.map((m) => m.role)).toEqual(["customer", "agent", "customer", "agent", "customer"]);
    const { docs: byRoleId } = await pullAll({ supportRoles: ["1101000000000000001"] });
    expect(byId(byRoleId, `discord:${THREAD}`).thread?.messages[1]?.role).toBe("agent");
    const { docs: none } = await pullAll({ supportRoles: [] });
    expect(none.flatMap((d) => d.thread!.messages.map((m) => m.role)).every((role) => role === "customer")).toBe(true);
  });

  it("reports bad input with file and line and ingests the rest: unknown shapes, a truncated file, a file that is not an export", async () => {
    const { docs, issues } = await pullAll();
    expect(issues.map((i) => `${i.file}:${i.line}: ${i.message}`)).toEqual([
      "odd-shapes.json:53: message 2 skipped: author: Required",
      "odd-shapes.json:106: message 4 skipped: timestamp: must be an ISO 8601 date",
      'odd-shapes.json:68: unknown message type "PollResult" (1 message) skipped: llamadesk reads Default and Reply messages and drops system messages.',
      expect.stringMatching(
        /^truncated\/Tidepool Community - Support - setup \[1100000000000000005\]\.json:163: the file is cut short or broken here \(.+\): the messages before this line were read, the rest of the file is lost\. Export the channel again to get all of it\.$/,
      ),
      "truncated/notes.json:1: not a DiscordChatExporter JSON export (guild: Required; channel: Required; messages: Required), skipped. Export with -f Json.",
    ]);
    // The good messages of both bad files still make their conversations.
    expect(byId(docs, "discord:1100000000000000004:1215584796672000028").thread?.messages.map((m) => m.text)).toEqual([
      "Does Tidepool keep file versions?",
      "Yes, 30 days of versions on every plan: right-click a file > Versions.",
    ]);
    expect(byId(docs, "discord:1100000000000000005:1215932085043200033").thread?.messages.map((m) => m.text.slice(0, 20))).toEqual([
      "Where do I find my r",
      "Settings > Security ",
      "found it, thanks",
    ]);
  });

  it("ids and content hashes are stable across pulls, and a file listed twice is read once", async () => {
    const first = await pullAll();
    const second = await pullAll({ paths: [fixtures, join(fixtures, "forum-tagged")] });
    expect(second.docs.map((d) => [d.id, d.contentHash])).toEqual(first.docs.map((d) => [d.id, d.contentHash]));
  });

  it("throws SOURCE_NOT_FOUND for a path that does not exist, INVALID_OPTION for bad options", async () => {
    const missing = new DiscordExportConnector({ paths: [join(fixtures, "nope")] });
    const error = await (async () => {
      for await (const _ of missing.pull()) void _;
    })().catch((e: unknown) => e);
    expect(isLlamadeskError(error, "SOURCE_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain("discord-export");
    expect(() => new DiscordExportConnector({ paths: [] })).toThrow(/`paths`/);
    expect(() => new DiscordExportConnector({ paths: ["x"], minMessages: 0 })).toThrow(/minMessages/);
  });
});

describe("discord-export definition", () => {
  let temp: string;
  beforeEach(async () => {
    temp = await mkdtemp(join(tmpdir(), "llamadesk-discord-def-"));
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it("validates the config entry, naming the wrong field, and resolves paths against the config file's folder", async () => {
    expect(definition.name).toBe("discord-export");
    const bad = definition.options.safeParse({ paths: ["./discord"], supportRole: ["Support"] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("supportRole");
    expect(definition.options.safeParse({ paths: "discord" }).success).toBe(false);

    await cp(join(fixtures, "forum-tagged"), join(temp, "discord"), { recursive: true });
    const options = definition.options.parse({ paths: ["./discord"], supportRoles: ["Support"] });
    const connector = definition.create(options, { baseDir: temp, env: () => undefined });
    const docs: SourceDoc[] = [];
    for await (const doc of connector.pull()) docs.push(doc);
    expect(docs.map((d) => d.id)).toEqual([`discord:${TAGGED_POST}`]);
    expect(connector.origin).toBe(join(temp, "discord"));
  });
});

import { describe, expect, it } from "vitest";
import { readDiscordExport } from "../discord-export/readDiscordExport.js";
import { decodeDiscordMarkup } from "./decodeDiscordMarkup.js";
import { emptyDiscordNames, type DiscordMessage } from "./DiscordMessage.js";
import { groupReplyChains } from "./groupReplyChains.js";
import { compareSnowflakes, snowflakeAt, timeOfSnowflake } from "./snowflake.js";
import { isResolvedTag, toDiscordChatThread } from "./toDiscordChatThread.js";

const names = () => {
  const n = emptyDiscordNames();
  n.users.set("1", "Maya");
  n.roles.set("2", "Support");
  n.channels.set("3", "help");
  return n;
};

let next = 100;
function message(author: string, content: string, extra: Partial<DiscordMessage> = {}): DiscordMessage {
  const id = String(next++);
  return {
    id,
    kind: "message",
    timestamp: new Date(Date.UTC(2024, 2, 4, 9, 0, Number(id) - 100)).toISOString(),
    content,
    author: { id: author, name: author, displayName: author, isBot: false, roles: [] },
    reactions: [],
    attachments: [],
    mentions: [],
    ...extra,
  };
}

describe("decodeDiscordMarkup", () => {
  it("turns mentions, roles, channels, emoji, commands, timestamps and suppressed links into text", () => {
    expect(decodeDiscordMarkup("hi <@1> and <@!1>, ask <@&2> in <#3> <:tidepool:99> <a:party:98> run </sync now:97> at <t:1709600400:F> or <t:1709600400> see <https://example.org/a?b=1>", names())).toBe(
      "hi @Maya and @Maya, ask @Support in #help :tidepool: :party: run /sync now at 2024-03-05 01:00 UTC or 2024-03-05 01:00 UTC see https://example.org/a?b=1",
    );
  });

  it("names unknown ids as unknown, and leaves text without markup (a decoded export) alone", () => {
    expect(decodeDiscordMarkup("<@5> <@&6> <#7>", names())).toBe("@unknown-user @unknown-role #unknown-channel");
    const plain = "@Maya said 2 < 3 and <b> is not markup, :smile: stays";
    expect(decodeDiscordMarkup(plain, names())).toBe(plain);
  });
});

describe("groupReplyChains", () => {
  it("puts a reply chain in one conversation, however far apart, and lets other talk interleave", () => {
    const q = message("maya", "how do I cap bandwidth?");
    const other = message("jo", "unrelated chatter");
    const a = message("sam", "Settings > Network", { reference: { messageId: q.id } });
    const thanks = message("maya", "thanks!", { reference: { messageId: a.id } });
    const conversations = groupReplyChains([thanks, other, a, q]);
    expect(conversations.map((c) => c.map((m) => m.content))).toEqual([["how do I cap bandwidth?", "Settings > Network", "thanks!"], ["unrelated chatter"]]);
  });

  it("continues an author's previous message within the window, not after it, and drops system messages", () => {
    const first = message("li", "question:");
    const second = message("li", "can clients see new files?");
    const join = message("jo", "joined", { kind: "system" });
    const late = message("jo", "much later", { timestamp: "2024-03-04T10:00:00.000Z" });
    const later = message("jo", "even later", { timestamp: "2024-03-04T10:06:00.000Z" });
    const conversations = groupReplyChains([first, second, join, late, later]);
    expect(conversations.map((c) => c.map((m) => m.content))).toEqual([["question:", "can clients see new files?"], ["much later"], ["even later"]]);
  });

  it("starts a conversation for a reply to a message that is not there", () => {
    const orphan = message("li", "me too", { reference: { messageId: "1" } });
    expect(groupReplyChains([orphan])).toEqual([[orphan]]);
  });
});

describe("toDiscordChatThread", () => {
  it("skips bot-only and too-short conversations, notes attachments, and links direct messages with @me", () => {
    const bot = { id: "b", name: "bot", displayName: "Bot", isBot: true, roles: [] };
    const base = { guildId: "0", channelId: "55", channelName: "dm" };
    expect(toDiscordChatThread({ ...base, messages: [message("b", "hi", { author: bot }), message("b", "hi again", { author: bot })] }, names())).toBeUndefined();
    expect(toDiscordChatThread({ ...base, messages: [message("ana", "alone")] }, names())).toBeUndefined();
    const q = message("ana", "", { attachments: ["error.png"] });
    const thread = toDiscordChatThread({ ...base, messages: [q, message("sam", "that is a proxy error")] }, names(), { supportUsers: ["sam"] });
    expect(thread).toMatchObject({ id: `discord:55:${q.id}`, url: `https://discord.com/channels/@me/55/${q.id}`, channel: "#dm" });
    expect(thread?.messages.map((m) => [m.text, m.role])).toEqual([
      ["[attachment: error.png]", "customer"],
      ["that is a proxy error", "agent"],
    ]);
  });

  it("recognises solved tags in their common spellings", () => {
    expect(["Solved", "✅ Resolved", "answered", "[SOLVED]"].every(isResolvedTag)).toBe(true);
    expect(["unsolved", "bug", "needs answer"].some(isResolvedTag)).toBe(false);
  });
});

describe("snowflakes", () => {
  it("compare numerically and map to and from time", () => {
    expect(compareSnowflakes("99", "100")).toBe(-1);
    const ms = Date.parse("2024-03-04T09:15:02.123Z");
    expect(timeOfSnowflake(snowflakeAt(ms))).toBe(ms);
    expect(snowflakeAt(0)).toBe("0");
  });
});

describe("readDiscordExport", () => {
  const header = '{"guild":{"id":"1","name":"G"},"channel":{"id":"7","type":"GuildTextChat","name":"help"},"messages":[';
  const m = (id: string) => `{"id":"${id}","type":"Default","timestamp":"2024-03-04T09:00:00+00:00","content":"m${id} with a } and ] in it","author":{"id":"2","name":"ana"}}`;

  it("keeps every message of a file whose end after the messages is broken", () => {
    const result = readDiscordExport(`${header}${m("10")},\n${m("11")}],\n"messageCount": 2`, "x.json");
    expect(result.export?.messages.map((x) => x.id)).toEqual(["10", "11"]);
    expect(result.issues).toEqual([{ file: "x.json", line: 3, message: expect.stringMatching(/^the end of the file is broken here \(.+\), after the last message: every message was read\.$/) }]);
  });

  it("reads nothing from a file broken before its messages, and says where", () => {
    const result = readDiscordExport('{"guild":{"id":"1",\n"name":', "x.json");
    expect(result.export).toBeUndefined();
    expect(result.issues).toEqual([{ file: "x.json", line: 2, message: expect.stringContaining("invalid JSON") }]);
  });

  it("salvages no messages when the first one is cut, and reports non-object messages by number", () => {
    expect(readDiscordExport(`${header}\n{"id":"10","ty`, "x.json").export?.messages).toEqual([]);
    const result = readDiscordExport(`${header}\n${m("10")},\n42]}`, "x.json");
    expect(result.export?.messages.map((x) => x.id)).toEqual(["10"]);
    expect(result.issues).toEqual([{ file: "x.json", line: 3, message: "message 2 skipped: value: Expected object, received number" }]);
  });
});

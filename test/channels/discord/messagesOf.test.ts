import { describe, expect, test } from "vitest";
import { parseCustomId } from "../../../src/channels/discord/customIds.js";
import { messagesOf } from "../../../src/channels/discord/renderToDiscord.js";
import type { AnswerView } from "../../../src/channels/renderAnswer.js";
import type { AnswerSource } from "../../../src/pipeline/AnswerSource.js";

const faq: AnswerSource = { n: 1, id: "faq-1", chunkId: "c1", kind: "faq", title: "Limit [upload] speed", source: "faq/network.md:12", location: "faq/network.md:12", score: 0.9 };
const page: AnswerSource = { n: 2, id: "doc-2", chunkId: "c2", kind: "doc", title: "Bandwidth settings", source: "https://help.example/bandwidth_(settings)", url: "https://help.example/bandwidth_(settings)", score: 0.8 };
const thread: AnswerSource = {
  n: 3,
  id: "chat-3",
  chunkId: "c3",
  kind: "chat",
  title: "Sync slow on hotel wifi",
  source: "https://discord.com/channels/1/2/3",
  url: "https://discord.com/channels/1/2/3",
  score: 0.7,
};
const view = (fields: Partial<AnswerView>): AnswerView => ({ state: "answered", text: "Set a limit [2].", sources: [faq, page, thread], citations: [page], related: [], notices: [], turnId: "turn-1", ...fields });

describe("messagesOf", () => {
  test("a finished answer: text, then a Sources embed (cited first; links, file:line, past threads' jump links) and the buttons", () => {
    const [message, ...rest] = messagesOf(view({}), true, "discord:42");
    expect(rest).toEqual([]);
    expect(message!.content).toBe("Set a limit [2].");
    expect(message!.embeds[0]!.title).toBe("Sources");
    expect(message!.embeds[0]!.description!.split("\n")).toEqual([
      "**[2]** [Bandwidth settings](https://help.example/bandwidth_%28settings%29)",
      "**[1]** Limit \\[upload\\] speed · `faq/network.md:12`",
      "**[3]** [Sync slow on hotel wifi](https://discord.com/channels/1/2/3)",
    ]);
    const ids = message!.components[0]!.components.map((b) => ("custom_id" in b ? b.custom_id : ""));
    expect(ids.map(parseCustomId)).toEqual([
      { action: "up", target: "turn-1" },
      { action: "down", target: "turn-1" },
      { action: "human", target: "discord:42" },
    ]);
  });

  test("a verbatim answer with related entries: a Related field under the sources", () => {
    const [message] = messagesOf(view({ text: "Limit it in Preferences.", sources: [faq], citations: [faq], related: [{ ...page, n: 2 }, { ...thread, n: 3 }] }), true, "discord:42");
    expect(message!.embeds[0]!.fields).toEqual([
      { name: "Related", value: "**[2]** [Bandwidth settings](https://help.example/bandwidth_%28settings%29)\n**[3]** [Sync slow on hotel wifi](https://discord.com/channels/1/2/3)" },
    ]);
    expect(messagesOf(view({}), true, "discord:42")[0]!.embeds[0]!.fields).toBeUndefined();
  });

  test("while streaming: the text only, no embed or buttons", () => {
    expect(messagesOf(view({ state: "streaming", text: "Set a" }), false, "discord:42")).toEqual([{ content: "Set a", embeds: [], components: [] }]);
  });

  test("an abstention lists the closest matches and offers a human; after a handoff only the votes remain", () => {
    const abstained = messagesOf(view({ state: "abstained", text: "Sorry, no answer.", citations: [] }), true, "discord:42")[0]!;
    expect(abstained.embeds[0]!.title).toBe("Closest matches");
    expect(abstained.components[0]!.components).toHaveLength(3);
    const handedOff = messagesOf(view({ state: "abstained", text: "Sorry. Connecting you.", citations: [], handoff: { reason: "repeated-abstentions", message: "Connecting you." } }), true, "discord:42")[0]!;
    expect(handedOff.embeds[0]!.title).toBe("Closest matches");
    expect(handedOff.components[0]!.components).toHaveLength(2);
  });

  test("quiet shows nothing; a failure shows an apology, never the error", () => {
    expect(messagesOf(view({ state: "quiet", text: "" }), true, "discord:42")).toEqual([]);
    const failed = messagesOf(view({ state: "failed", text: "partial", error: { code: "MODEL_FAILED", message: "llama.cpp: out of memory at /models/x.gguf" } }), true, "discord:42")[0]!;
    expect(failed.content).toMatch(/^Sorry, something went wrong/);
    expect(failed.content).not.toContain("out of memory");
    expect(failed.embeds).toEqual([]);
  });

  test("a long answer: the embed and buttons go under the last message only", () => {
    const text = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
    const messages = messagesOf(view({ text }), true, "discord:42");
    expect(messages).toHaveLength(2);
    expect(messages[0]!.embeds).toEqual([]);
    expect(messages[0]!.components).toEqual([]);
    expect(messages[1]!.embeds).toHaveLength(1);
  });
});

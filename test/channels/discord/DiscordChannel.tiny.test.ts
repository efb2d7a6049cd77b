import { expect, test } from "vitest";
import { snowflake } from "../../support/fakeDiscord.js";
import { useDiscordOverLocalBot } from "../../support/discordOverLocalBot.js";

// The whole real stack behind the real discord.js client: USE-lite, HNSW + BM25, SQLite, and llama.cpp
// generating with the tiny random-weight Llama 2 GGUF (gibberish wording: structure only is asserted).

const stack = useDiscordOverLocalBot("tiny");
const { general } = stack;

test("a mention is answered by llama.cpp, streamed into the thread by edits, with sources and buttons", async () => {
  const user = { id: snowflake(), username: "alice" };
  const question = stack.fake.postMessage({ channelId: general, author: user, content: `<@${stack.fake.botUser.id}> How do I stop Tidepool from using all my bandwidth?` });
  const threadId = question.id;
  const answer = await stack.fake.waitFor(() => stack.fake.messagesIn(threadId).find((m) => m.author.id === stack.fake.botUser.id && m.components.length > 0), 60_000, "the answer");

  const posts = stack.fake.callsTo("POST", new RegExp(`^/channels/${threadId}/messages$`));
  const edits = stack.fake.callsTo("PATCH", new RegExp(`^/channels/${threadId}/messages/${answer.id}$`));
  // Posted with the first tokens, then edited: the final edit adds the sources and buttons.
  expect(posts).toHaveLength(1);
  expect(posts[0]!.body.embeds).toEqual([]);
  expect(edits.length).toBeGreaterThanOrEqual(1);
  expect(edits.at(-1)!.body.embeds[0].title).toBe("Sources");
  expect(answer.content.length).toBeGreaterThan(0);
  expect(answer.content.length).toBeLessThanOrEqual(2000);

  const turns = await stack.local.bot.history(`discord:${threadId}`);
  expect(turns.map((t) => [t.role, t.outcome, t.mode])).toEqual([
    ["user", undefined, undefined],
    ["assistant", "answered", "generative"],
  ]);
  expect(answer.content).toBe(turns[1]!.text.trim());
});

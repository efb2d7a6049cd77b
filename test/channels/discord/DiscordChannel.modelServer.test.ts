import { expect, test } from "vitest";
import { snowflake } from "../../support/fakeDiscord.js";
import { useDiscordOverLocalBot } from "../../support/discordOverLocalBot.js";

// The real discord.js client and the real bot, whose chat model is on an OpenAI-compatible server (a loopback one
// generating with the tiny Llama 2 GGUF through llama.cpp): the answer is streamed over the wire, then into Discord.

const stack = useDiscordOverLocalBot("server");
const { general } = stack;

test("a mention is answered by the model server, streamed into the thread by edits, with sources and buttons", async () => {
  const user = { id: snowflake(), username: "alice" };
  const question = stack.fake.postMessage({ channelId: general, author: user, content: `<@${stack.fake.botUser.id}> How do I stop Tidepool from using all my bandwidth?` });
  const threadId = question.id;
  const answer = await stack.fake.waitFor(() => stack.fake.messagesIn(threadId).find((m) => m.author.id === stack.fake.botUser.id && m.components.length > 0), 60_000, "the answer");

  const posts = stack.fake.callsTo("POST", new RegExp(`^/channels/${threadId}/messages$`));
  const edits = stack.fake.callsTo("PATCH", new RegExp(`^/channels/${threadId}/messages/${answer.id}$`));
  expect(posts).toHaveLength(1);
  expect(edits.length).toBeGreaterThanOrEqual(1);
  expect(edits.at(-1)!.body.embeds[0].title).toBe("Sources");

  // One streamed completion on the server, with the pipeline's prompt: the passages in the system message, the question last.
  const [request] = stack.local.modelServer!.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(request!.body).toMatchObject({ stream: true, max_tokens: 48 });
  const messages = request!.body!.messages as { role: string; content: string }[];
  expect(messages[0]!.role).toBe("system");
  expect(messages.at(-1)!.content).toContain("bandwidth");

  const turns = await stack.local.bot.history(`discord:${threadId}`);
  expect(turns.map((t) => [t.role, t.outcome, t.mode])).toEqual([
    ["user", undefined, undefined],
    ["assistant", "answered", "generative"],
  ]);
  expect(answer.content).toBe(turns[1]!.text.trim());
});

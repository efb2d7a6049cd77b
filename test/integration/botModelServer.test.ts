import { afterAll, beforeAll, expect, it } from "vitest";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { createBot, type Bot } from "../../src/bot.js";
import type { BotEvent } from "../../src/BotEvent.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { ChatMessage } from "../../src/model/ChatModel.js";
import { OpenAiChatModel } from "../../src/model/OpenAiChatModel.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";

// The bot's pipeline with its chat model on an OpenAI-compatible server: answers, follow-up condensing, and the
// prompt prefix a server's cache needs (vLLM's automatic prefix caching, llama.cpp's cache_prompt).
const CONDENSED = "How do I limit bandwidth in the Tidepool Android app?";
let server: OpenAiCompatibleServer;
let bot: Bot;

beforeAll(async () => {
  // Condensing asks for one line (stop at a newline); answers are everything else.
  const backend = new FakeChatModel({ answers: (_messages, options) => (options.stop?.includes("\n") ? CONDENSED : "Open Preferences, then Network, and set an upload limit [1].") });
  server = await startOpenAiCompatibleServer({ chatModel: backend, models: ["llama-2-13b-chat"] });
  const embedder = new FakeEmbedder();
  const knowledge = await LocalKnowledgeStore.open({ embedder });
  await ingest({ store: knowledge, embedder, connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })] });
  bot = createBot({
    knowledge,
    embedder,
    chatModel: new OpenAiChatModel({ baseUrl: server.url }),
    store: new MemoryConversationStore(),
    prompts: await loadPrompts(),
    policy: { product: "Tidepool", mode: "generative", minConfidence: 0, generation: { maxTokens: 64 } },
  });
});
afterAll(async () => {
  await bot?.dispose();
  await server?.close();
});

const ask = async (text: string) => {
  const events: BotEvent[] = [];
  for await (const event of bot.ask({ conversationId: "c1", text })) events.push(event);
  return events;
};

it("answers through the server, condenses a follow-up there, and sends the next turn with the first turn as its unchanged prefix", async () => {
  const first = await ask("How do I stop Tidepool from using all my bandwidth?");
  expect(first.filter((e) => e.type === "token").length).toBeGreaterThan(1);
  expect(first.find((e) => e.type === "done")).toMatchObject({ mode: "generative", answer: expect.stringContaining("set an upload limit") });
  const afterFirst = server.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(afterFirst).toHaveLength(1);

  const second = await ask("and on android?");
  expect(second.find((e) => e.type === "sources")).toMatchObject({ question: CONDENSED });
  const requests = server.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(requests).toHaveLength(3);
  const [answer1, condense, answer2] = requests.map((r) => r.body!);
  expect(condense).toMatchObject({ stop: ["\n"], max_tokens: 64, temperature: 0 });
  expect(JSON.stringify(condense!.messages)).toContain("and on android?");

  // The second answer's prompt starts with the first one's messages, byte for byte, then the answer given.
  const one = answer1!.messages as ChatMessage[];
  const two = answer2!.messages as ChatMessage[];
  expect(two.slice(0, one.length)).toEqual(one);
  expect(two[one.length]).toEqual({ role: "assistant", content: "Open Preferences, then Network, and set an upload limit [1]." });
  expect(two.at(-1)!.content).toContain("and on android?");
});

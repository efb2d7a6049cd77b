import { afterAll, beforeAll, expect, it } from "vitest";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { createChatModel } from "../../src/model/createChatModel.js";
import { MemoryReviewQueue } from "../../src/mining/MemoryReviewQueue.js";
import { mineThreads } from "../../src/mining/mineThreads.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";

// Mining resolved threads with the chat model on an OpenAI-compatible server, built by the same factory as `sync` uses.
let server: OpenAiCompatibleServer;
beforeAll(async () => {
  const backend = new FakeChatModel({ answers: ["Q: How do I cap my upload speed?\nA: Open Preferences > Network and set an upload limit."] });
  server = await startOpenAiCompatibleServer({ chatModel: backend, models: ["llama-2-7b-chat"] });
});
afterAll(async () => server?.close());

it("writes each resolved thread's Q/A on the server", async () => {
  const thread: ChatThread = {
    id: "t1",
    platform: "transcript",
    messages: [
      { id: "0", author: "customer", role: "customer", text: "my uploads eat all the bandwidth, can I cap them?" },
      { id: "1", author: "agent", role: "agent", text: "Preferences > Network > Upload limit." },
      { id: "2", author: "customer", role: "customer", text: "thanks, that worked" },
    ],
  };
  const chatModel = await createChatModel({ kind: "server", url: server.url });
  const queue = new MemoryReviewQueue();
  const summary = await mineThreads({ threads: [thread], queue, embedder: new FakeEmbedder(), chatModel, rules: {} });
  expect(summary).toMatchObject({ threads: 1, resolved: 1, added: 1 });
  const [candidate] = await queue.list();
  expect(candidate).toMatchObject({ extractedBy: "model", question: "How do I cap my upload speed?", answer: "Open Preferences > Network and set an upload limit." });
  const [request] = server.requests.filter((r) => r.url === "/v1/chat/completions");
  expect(JSON.stringify(request!.body!.messages)).toContain("Preferences > Network > Upload limit.");
  expect(request!.body).toMatchObject({ model: "llama-2-7b-chat", temperature: 0 });
});

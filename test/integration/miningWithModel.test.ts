import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import type { ChatMessage, ChatModel, ChatStream, GenerateOptions, GenerationResult } from "../../src/model/ChatModel.js";
import { MemoryReviewQueue } from "../../src/mining/MemoryReviewQueue.js";
import { mineThreads, type MiningProgress } from "../../src/mining/mineThreads.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";

/** Passes calls through to the real model and keeps each generation's result. */
class RecordingModel implements ChatModel {
  readonly results: GenerationResult[] = [];
  readonly prompts: string[] = [];
  constructor(private readonly inner: ChatModel) {}
  get id(): string {
    return this.inner.id;
  }
  stream(messages: readonly ChatMessage[], options?: GenerateOptions): ChatStream {
    this.prompts.push(messages.map((m) => m.content).join("\n"));
    const stream = this.inner.stream(messages, options);
    void stream.result.then((r) => this.results.push(r), () => {});
    return stream;
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

const thread = (id: string, question: string, answer: string): ChatThread => ({
  id,
  platform: "transcript",
  messages: [
    { id: "0", author: "customer", role: "customer", text: question },
    { id: "1", author: "agent", role: "agent", text: answer },
    { id: "2", author: "customer", role: "customer", text: "thanks, that worked" },
  ],
});

let dir: string;
let model: RecordingModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llamadesk-mining-model-"));
  const modelPath = await writeTinyLlamaGguf({ path: join(dir, "tiny.gguf") });
  const { LlamaChatModel } = await import("../../src/model/LlamaChatModel.js");
  model = new RecordingModel(await LlamaChatModel.create({ modelPath, contextSize: 1024, threads: 1 }));
}, 120_000);
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("mining with a local GGUF model (tiny random weights: structure, not wording)", () => {
  it("sends each resolved thread through llama.cpp with the mining prompt and keeps a usable candidate either way", async () => {
    const queue = new MemoryReviewQueue();
    const progress: MiningProgress[] = [];
    const summary = await mineThreads({
      threads: [thread("a", "How do I cap upload speed?", "Preferences > Network > Upload limit."), thread("b", "Can I pay in euros?", "Yes, under Billing > Currency.")],
      queue,
      embedder: new FakeEmbedder(),
      chatModel: model,
      rules: { similarityThreshold: 0.99 },
      onProgress: (p) => progress.push(p),
    });
    expect(summary).toMatchObject({ threads: 2, resolved: 2, added: 2 });
    expect(model.prompts).toHaveLength(2);
    expect(model.prompts[0]).toContain("agent (agent) (resolving reply): Preferences > Network > Upload limit.");
    expect(model.results).toHaveLength(2);
    for (const r of model.results) {
      expect(r.tokens).toBeGreaterThan(0);
      expect(r.tokens).toBeLessThanOrEqual(300);
    }
    // Random weights write gibberish: each candidate is the model's when it parsed, else the rules' (with the reason reported).
    const candidates = await queue.list();
    for (const [i, c] of candidates.entries()) {
      if (c.extractedBy === "rules") expect(progress[i]!.modelProblem).toBeTruthy();
      expect(c.question.length).toBeGreaterThan(0);
      expect(c.answer.length).toBeGreaterThan(0);
    }
    expect(summary.modelFallbacks).toBe(candidates.filter((c) => c.extractedBy === "rules").length);
  }, 120_000);
});

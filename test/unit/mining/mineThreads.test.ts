import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ChatThread } from "../../../src/chat/ChatThread.js";
import { isLlamadeskError } from "../../../src/errors.js";
import { ingest } from "../../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../../src/knowledge/LocalKnowledgeStore.js";
import { parseModelQa, renderConversation } from "../../../src/mining/extractWithModel.js";
import { loadMiningPrompt } from "../../../src/mining/loadMiningPrompt.js";
import { MemoryReviewQueue } from "../../../src/mining/MemoryReviewQueue.js";
import { mineThreads, type MiningProgress } from "../../../src/mining/mineThreads.js";
import { DEFAULT_PROMPTS_DIR } from "../../../src/prompts/loadPrompts.js";
import { FakeChatModel } from "../../../src/testing/FakeChatModel.js";
import { FakeEmbedder } from "../../../src/testing/FakeEmbedder.js";
import { ArrayConnector, faq } from "../../support/ArrayConnector.js";

function resolved(id: string, question: string, answer: string, extra: Partial<ChatThread> = {}): ChatThread {
  return {
    id,
    platform: "slack",
    url: `https://example.slack.com/archives/C1/${id}`,
    messages: [
      { id: "1", author: "maya", role: "customer", text: `Hi team, ${question}` },
      { id: "2", author: "dana", role: "agent", text: answer },
      { id: "3", author: "maya", role: "customer", text: "thanks, that worked!" },
    ],
    ...extra,
  };
}

const unresolved: ChatThread = {
  id: "open",
  platform: "slack",
  messages: [
    { id: "1", author: "raj", role: "customer", text: "why is sync slow?" },
    { id: "2", author: "dana", role: "agent", text: "Try LAN sync." },
    { id: "3", author: "raj", role: "customer", text: "thanks, but it still fails" },
  ],
};

describe("mineThreads", () => {
  it("queues resolved threads, merges duplicates of candidates and FAQ entries, and never adds a thread twice", async () => {
    const embedder = new FakeEmbedder();
    const store = await LocalKnowledgeStore.open({ embedder, vectorIndex: "exact" });
    await ingest({ store, embedder, connectors: [new ArrayConnector([faq("faq-bandwidth", "How do I limit the upload bandwidth Tidepool uses?", "Preferences > Network > Upload limit.")])] });
    const queue = new MemoryReviewQueue();
    const threads = [
      resolved("t1", "how do I export my files to a zip archive?", "Settings > Data > Export everything."),
      resolved("t2", "how do I export my files to a zip archive please?", "Use Export everything under Settings > Data."),
      resolved("t3", "how do I limit the upload bandwidth Tidepool uses?", "Set an upload limit in Preferences."),
      unresolved,
    ];
    const progress: MiningProgress[] = [];
    const summary = await mineThreads({ threads, queue, embedder, store, rules: { similarityThreshold: 0.8 }, onProgress: (p) => progress.push(p) });
    expect(summary).toEqual({ threads: 4, resolved: 3, added: 1, merged: 2, alreadyKnown: 0, rejectedBefore: 0, modelFallbacks: 0 });
    expect(progress.map((p) => [p.threadId, p.outcome, p.done, p.total])).toEqual([
      ["t1", "added", 1, 4],
      ["t2", "merged", 2, 4],
      ["t3", "merged", 3, 4],
      ["open", "unresolved", 4, 4],
    ]);

    const [first] = await queue.list();
    expect(first).toMatchObject({ threadId: "t1", question: "How do I export my files to a zip archive?", answer: "Settings > Data > Export everything.", extractedBy: "rules", signals: [{ kind: "thanks" }] });
    expect(first!.provenance.map((p) => [p.threadId, p.url])).toEqual([
      ["t1", "https://example.slack.com/archives/C1/t1"],
      ["t2", "https://example.slack.com/archives/C1/t2"],
    ]);
    const merged = await queue.list({ status: "merged" });
    expect(merged.map((c) => [c.threadId, c.mergedInto?.kind, c.mergedInto?.id])).toEqual([
      ["t2", "candidate", first!.id],
      ["t3", "faq", "faq-bandwidth"],
    ]);
    expect(merged[0]!.mergedInto!.similarity).toBeGreaterThanOrEqual(0.8);

    // The next sync brings the same threads: nothing new; a rejected one stays out.
    await queue.reject(first!.id);
    const again = await mineThreads({ threads, queue, embedder, store, rules: { similarityThreshold: 0.8 } });
    expect(again).toEqual({ threads: 4, resolved: 0, added: 0, merged: 0, alreadyKnown: 2, rejectedBefore: 1, modelFallbacks: 0 });
    expect(await queue.list({ status: "all" })).toHaveLength(3);
  });

  it("with a threshold of 1 nothing merges; with an approved candidate in the index as reviewed:<id>, a match merges into that candidate", async () => {
    const embedder = new FakeEmbedder();
    const queue = new MemoryReviewQueue();
    const threads = [resolved("a", "where are my invoices?", "Billing > Invoices."), resolved("b", "where are my invoices now?", "Billing tab.")];
    expect(await mineThreads({ threads, queue, embedder, rules: { similarityThreshold: 1 } })).toMatchObject({ added: 2, merged: 0 });

    const approved = await queue.approve((await queue.list())[0]!.id);
    const store = await LocalKnowledgeStore.open({ embedder, vectorIndex: "exact" });
    await ingest({ store, embedder, connectors: [new ArrayConnector([faq(`reviewed:${approved.id}`, approved.question, approved.answer)])] });
    const fresh = new MemoryReviewQueue();
    await mineThreads({ threads: [resolved("c", "where are my invoices?", "In Billing.")], queue: fresh, embedder, store, rules: { similarityThreshold: 0.9 } });
    expect((await fresh.list({ status: "merged" }))[0]!.mergedInto).toMatchObject({ kind: "candidate", id: approved.id, similarity: 1 });
  });

  it("lets the chat model write the Q/A from the mining prompt, and falls back to the rules on malformed output", async () => {
    const model = new FakeChatModel({ answers: ["Sure! Here it is:\nQ: How can I export all my files?\nA: Open Settings > Data and choose Export everything.", "I cannot help with that."] });
    const queue = new MemoryReviewQueue();
    const progress: MiningProgress[] = [];
    const summary = await mineThreads({
      threads: [resolved("m1", "how do I export my files?", "Settings > Data > Export everything."), resolved("m2", "can I pay in euros?", "Yes, under Billing > Currency.")],
      queue,
      embedder: new FakeEmbedder(),
      chatModel: model,
      rules: { similarityThreshold: 0.95 },
      onProgress: (p) => progress.push(p),
    });
    expect(summary).toMatchObject({ added: 2, modelFallbacks: 1 });
    const [byModel, byRules] = await queue.list();
    expect(byModel).toMatchObject({ question: "How can I export all my files?", answer: "Open Settings > Data and choose Export everything.", extractedBy: "model", answerMessageIds: ["2"] });
    expect(byRules).toMatchObject({ question: "Can I pay in euros?", answer: "Yes, under Billing > Currency.", extractedBy: "rules" });
    expect(progress[1]!.modelProblem).toContain('no "Q: ..." line');

    const call = model.calls[0]!;
    expect(call.messages).toHaveLength(1);
    expect(call.messages[0]!.content).toContain("agent (dana) (resolving reply): Settings > Data > Export everything.");
    expect(call.options).toMatchObject({ temperature: 0, maxTokens: 300 });

    // useModel: false keeps the rules even with a model.
    const quiet = new FakeChatModel();
    await mineThreads({ threads: [resolved("m3", "q?", "a")], queue: new MemoryReviewQueue(), embedder: new FakeEmbedder(), chatModel: quiet, rules: { useModel: false } });
    expect(quiet.calls).toHaveLength(0);
  });

  it("refuses an index built by another embedder", async () => {
    const store = await LocalKnowledgeStore.open({ embedder: new FakeEmbedder({ dimensions: 32 }), vectorIndex: "exact" });
    const error = await mineThreads({ threads: [], queue: new MemoryReviewQueue(), embedder: new FakeEmbedder(), store }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "EMBEDDER_MISMATCH")).toBe(true);
  });
});

describe("model Q/A parsing and the mining prompt", () => {
  it("reads Q:/A: with preamble, markdown bold and a trailing second pair; rejects the rest", () => {
    expect(parseModelQa("Q: How do I reset my password?\nA: Click Forgot password.")).toEqual({ question: "How do I reset my password?", answer: "Click Forgot password." });
    expect(parseModelQa("Here you go.\n**Q:** How do I\n reset it?\n**A:** Step 1.\nStep 2.\nQ: another\nA: x")).toEqual({ question: "How do I reset it?", answer: "Step 1.\nStep 2." });
    expect(parseModelQa("A: answer first\nQ: question later")).toMatch(/no "Q: \.\.\." line/);
    expect(parseModelQa("Q: ?\nA: fine")).toMatch(/question is 1 characters/);
    expect(parseModelQa("Q: A fine question?\nA: ")).toMatch(/no "Q: \.\.\." line|answer is 0 characters/);
  });

  it("renders long threads as their opening and the end around the answer", () => {
    const messages = Array.from({ length: 30 }, (_, i) => ({ id: String(i), author: i % 2 ? "dana" : "maya", role: (i % 2 ? "agent" : "customer") as "agent" | "customer", text: `message ${i}` }));
    const text = renderConversation({ id: "x", platform: "slack", messages }, 20);
    expect(text.split("\n")).toEqual([
      "customer (maya): message 0",
      "agent (dana): message 1",
      "customer (maya): message 2",
      "agent (dana): message 3",
      "[…]",
      ...[14, 15, 16, 17, 18, 19, 20, 21].map((i) => `${i % 2 ? "agent (dana)" : "customer (maya)"}${i === 20 ? " (resolving reply)" : ""}: message ${i}`),
    ]);
  });

  it("the shipped prompt is checked and its rendered form is stable; a custom folder without it uses the shipped one, a broken one fails", async () => {
    const prompt = await loadMiningPrompt();
    expect(prompt.render({ conversation: "customer (maya): How do I cap upload speed?\nagent (dana) (resolving reply): Preferences > Network." })).toMatchSnapshot("mine");
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-prompts-"));
    try {
      expect((await loadMiningPrompt(dir)).source).toBe(join(DEFAULT_PROMPTS_DIR, "mine.txt"));
      await cp(join(DEFAULT_PROMPTS_DIR, "mine.txt"), join(dir, "mine.txt"));
      expect((await loadMiningPrompt(dir)).source).toBe(join(dir, "mine.txt"));
      await writeFile(join(dir, "mine.txt"), "Summarise {{thread}}");
      const error = await loadMiningPrompt(dir).catch((e: unknown) => e);
      expect(isLlamadeskError(error, "PROMPT_INVALID")).toBe(true);
      expect((error as Error).message).toContain("missing variable {{conversation}}; unknown variable {{thread}}");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

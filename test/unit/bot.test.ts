import { beforeEach, describe, expect, it } from "vitest";
import { createBot, type AskInput, type Bot, type BotOptions } from "../../src/bot.js";
import type { BotEvent } from "../../src/BotEvent.js";
import { renderAnswer } from "../../src/channels/renderAnswer.js";
import { collectAnswer } from "../../src/cli/collectAnswer.js";
import { LlamadeskError } from "../../src/errors.js";
import type { KnowledgeStore, PassageText } from "../../src/knowledge/KnowledgeStore.js";
import { loadPrompts, type Prompts } from "../../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import type { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { faqIndex, hit, ScriptedRetriever } from "../support/botFixture.js";

async function collect(events: AsyncIterable<BotEvent>): Promise<BotEvent[]> {
  const out: BotEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const types = (events: BotEvent[]) => events.map((e) => e.type);
function only<T extends BotEvent["type"]>(events: BotEvent[], type: T): Extract<BotEvent, { type: T }> {
  const found = events.filter((e) => e.type === type);
  expect(found, `exactly one ${type} event in ${types(events).join(",")}`).toHaveLength(1);
  return found[0] as Extract<BotEvent, { type: T }>;
}

describe("createBot / bot.ask", () => {
  let knowledge: KnowledgeStore;
  let passages: Map<string, PassageText>;
  let embedder: FakeEmbedder;
  let prompts: Prompts;
  let store: MemoryConversationStore;
  let retriever: ScriptedRetriever;

  beforeEach(async () => {
    ({ knowledge, passages, embedder } = await faqIndex());
    prompts = await loadPrompts();
    store = new MemoryConversationStore();
    retriever = new ScriptedRetriever([
      // A clear match: high similarity and far ahead of the next entry.
      ["reset my password", [hit(passages, "reset", 1, 0.92), hit(passages, "export", 0.3, 0.41)]],
      // A match, but close to another entry: the model should combine them.
      ["export", [hit(passages, "export", 1, 0.66), hit(passages, "reset", 0.85, 0.8), hit(passages, "billing", 0.5, 0.4)]],
      ["android", [hit(passages, "android", 1, 0.7), hit(passages, "export", 0.85, 0.5)]],
      // Answerable (0.62 + 0.5 × "bill" of "payroll", "bill"), but nearly tied with another question (0.85, no words).
      ["payroll", [hit(passages, "billing", 1, 0.62), { ...hit(passages, "export", 0.95, 0.85), signals: { vector: 0.85, lexical: 1, coverage: 0 } }]],
      // Answerable (0.72) but tied with another question (0.70), under tieConfidence: a model combines them, no model offers them.
      ["phone limit", [hit(passages, "billing", 1, 0.72), hit(passages, "export", 0.98, 0.7)]],
      // Close (0.64) but under the answer threshold (0.7): offered, not given.
      ["sso", [hit(passages, "billing", 1, 0.64), hit(passages, "export", 0.9, 0.5)]],
      // Nothing close: cosine low and the question's words are not in the passage.
      ["mortgage", [hit(passages, "billing", 1, 0.21), hit(passages, "export", 0.4, 0.18)]],
    ]);
  });

  const make = (options: Partial<BotOptions> = {}): Bot =>
    createBot({ knowledge, embedder, store, prompts, retriever, policy: { product: "Tidepool" }, ...options });
  const ask = (bot: Bot, text: string, extra: Partial<AskInput> = {}) => collect(bot.ask({ conversationId: "c1", text, ...extra }));

  it("answers extractively without a chat model: sources, the FAQ answer verbatim as one token, done", async () => {
    const events = await ask(make(), "How do I reset my password?");
    expect(types(events)).toEqual(["sources", "token", "done"]);
    const done = only(events, "done");
    expect(done.mode).toBe("extractive");
    expect(done.answer).toBe("Open Settings > Account and choose Reset password.");
    expect(only(events, "token").text).toBe(done.answer);
    expect(done.citations).toEqual([expect.objectContaining({ n: 1, id: "reset", title: "How do I reset my password?", source: "faq.md:1" })]);
    expect(done.timing.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    const turns = await store.history("c1");
    expect(turns.map((t) => [t.role, t.outcome, t.mode])).toEqual([["user", undefined, undefined], ["assistant", "answered", "extractive"]]);
    expect(turns[1]!.id).toBe(done.turnId);
  });

  it("without a model, a near tie with another question answers with the best entry and lists the other as related; a model answers it", async () => {
    const events = await ask(make(), "When is payroll billed?");
    expect(types(events)).toEqual(["sources", "token", "done"]);
    const done = only(events, "done");
    expect(done).toMatchObject({ mode: "extractive", answer: "On the first day of each month." });
    expect(done.sources.map((s) => s.id)).toEqual(["billing"]);
    expect(done.related?.map((s) => [s.n, s.id])).toEqual([[2, "export"]]);
    // The stored turn keeps the related entry apart from the source, for a widget reload.
    const turn = (await store.history("c1"))[1]!;
    expect(turn.sources?.map((s) => [s.id, s.related ?? false])).toEqual([["billing", false], ["export", true]]);
    const view = await renderAnswer(make().ask({ conversationId: "c3", text: "When is payroll billed?" }), { render: async () => {} });
    expect(view.related.map((s) => s.id)).toEqual(["export"]);
    const chatModel = new FakeChatModel({ answers: ["On the first of the month [1]."] });
    const generated = only(await ask(make({ chatModel }), "When is payroll billed?", { conversationId: "c2" }), "done");
    expect(generated.mode).toBe("generative");
    expect(generated.related).toBeUndefined();
  });

  it("a middling near tie is offered without a model (unsure) and answered by a model", async () => {
    const offered = only(await ask(make(), "Is there a phone limit?"), "abstained");
    expect(offered).toMatchObject({ reason: "unsure", message: prompts.unsure.render({ product: "Tidepool" }) });
    expect(offered.sources.map((s) => s.id)).toEqual(["billing", "export"]);
    const chatModel = new FakeChatModel({ answers: ["Either [1] or [2]."] });
    expect(only(await ask(make({ chatModel }), "Is there a phone limit?", { conversationId: "c2" }), "done").mode).toBe("generative");
  });

  it("a close match under the answer threshold is offered, not given: the unsure message, the closest entries", async () => {
    const events = await ask(make(), "Do you support SSO?");
    expect(types(events)).toEqual(["abstained"]);
    const abstained = only(events, "abstained");
    expect(abstained).toMatchObject({ reason: "unsure", message: prompts.unsure.render({ product: "Tidepool" }) });
    expect(abstained.sources.map((s) => s.id)).toEqual(["billing", "export"]);
    const nothing = only(await ask(make(), "What mortgage rates do you offer?", { conversationId: "c2" }), "abstained");
    expect(nothing).toMatchObject({ reason: "low-confidence", message: prompts["no-answer"].render({ product: "Tidepool" }) });
  });

  it("says once, as a notice, why there is no chat model", async () => {
    const bot = make({ chatModelProblem: new LlamadeskError("MODEL_NOT_FOUND", "Chat model /x.gguf does not exist.") });
    const first = await ask(bot, "How do I reset my password?");
    expect(first[0]).toEqual({ type: "notice", code: "MODEL_NOT_FOUND", message: expect.stringContaining("/x.gguf") });
    const second = await ask(bot, "How do I reset my password?", { conversationId: "c2" });
    expect(types(second)).not.toContain("notice");
  });

  it("auto mode: extractive for a clear FAQ match, generative otherwise", async () => {
    const chatModel = new FakeChatModel({ answers: ["Choose File > Export [1]."] });
    const bot = make({ chatModel });
    expect(only(await ask(bot, "How do I reset my password?"), "done").mode).toBe("extractive");
    expect(chatModel.calls).toHaveLength(0);
    const events = await ask(bot, "How can I export everything?", { conversationId: "c2" });
    expect(types(events)).toEqual(["sources", "token", "token", "token", "token", "token", "done"]);
    expect(only(events, "done").mode).toBe("generative");
    expect(chatModel.calls).toHaveLength(1);
  });

  it("generative: numbered sources in the prompt, tokens streamed, citations mapped and dangling numbers dropped", async () => {
    const chatModel = new FakeChatModel({ answers: ["Use File > Export [1], then check billing [3][7]. See [2, 9]."] });
    const events = await ask(make({ chatModel, policy: { product: "Tidepool", mode: "generative" } }), "How can I export everything?");
    const sources = only(events, "sources").sources;
    expect(sources.map((s) => [s.n, s.id])).toEqual([[1, "export"], [2, "reset"], [3, "billing"]]);
    const call = chatModel.calls[0]!;
    expect(call.messages[0]).toEqual({ role: "system", content: prompts.system.render({ product: "Tidepool" }) });
    expect(call.messages).toHaveLength(2);
    expect(call.messages[1]!.content).toContain("[1] How do I export my data?\nChoose File > Export and pick CSV or JSON.");
    expect(call.messages[1]!.content).toContain("Customer question: How can I export everything?");
    expect(call.options).toMatchObject({ conversationKey: "c1", maxTokens: 384, temperature: 0.2 });
    const streamed = events.flatMap((e) => (e.type === "token" ? [e.text] : [])).join("");
    expect(streamed).toBe("Use File > Export [1], then check billing [3][7]. See [2, 9].");
    const done = only(events, "done");
    expect(done.answer).toBe("Use File > Export [1], then check billing [3]. See [2].");
    expect(done.citations.map((c) => c.n)).toEqual([1, 3, 2]);
    expect(done.sources).toEqual(sources);
    expect(done.timing.tokens).toBeGreaterThan(0);
    expect(done.stopReason).toBe("eos");
  });

  it("a follow-up resends the earlier turn exactly, keeps source numbers, and does not repeat a source", async () => {
    const chatModel = new FakeChatModel({ answers: ["First answer [1].", "Second answer [2]."] });
    const bot = make({ chatModel, policy: { product: "Tidepool", mode: "generative" } });
    await ask(bot, "How can I export everything?");
    const events = await ask(bot, "Is there an Android app?");
    const [first, second] = chatModel.calls;
    // The prompt of turn one, then its answer, then the new question: the model's cached prefix still matches.
    expect(second!.messages.slice(0, 2)).toEqual(first!.messages);
    expect(second!.messages[2]).toEqual({ role: "assistant", content: "First answer [1]." });
    const last = second!.messages[3]!.content;
    expect(last).toContain("[4] Is there an Android app?\nYes: search for Tidepool in Google Play.");
    expect(last).toContain("[1] How do I export my data? (given above)");
    expect(last).not.toContain("Choose File > Export and pick CSV");
    expect(only(events, "sources").sources.map((s) => s.n)).toEqual([4, 1]);
    // [2] was given in turn one: still a valid citation.
    expect(only(events, "done").citations.map((c) => c.id)).toEqual(["reset"]);
  });

  it("abstains below the threshold with the no-answer message and the closest sources, and hands off after two", async () => {
    const bot = make();
    const first = await ask(bot, "Can I get a mortgage?");
    expect(types(first)).toEqual(["abstained"]);
    const abstained = only(first, "abstained");
    expect(abstained.message).toBe(prompts["no-answer"].render({ product: "Tidepool" }));
    expect(abstained.reason).toBe("low-confidence");
    expect(abstained.sources.map((s) => s.id)).toEqual(["billing", "export"]);
    const second = await ask(bot, "What mortgage rates do you offer?");
    expect(types(second)).toEqual(["abstained", "handoff"]);
    expect(only(second, "handoff")).toMatchObject({ reason: "repeated-abstentions", message: prompts.handoff.render({ product: "Tidepool" }) });
    expect((await store.getConversation("c1"))?.status).toBe("handed-off");
    // The stored turn is the message shown, both texts, with the closest entries.
    expect((await store.history("c1")).at(-1)).toMatchObject({
      role: "assistant",
      text: `${only(second, "abstained").message}\n\n${only(second, "handoff").message}`,
      outcome: "handoff",
      sources: [expect.objectContaining({ id: "billing" }), expect.objectContaining({ id: "export" })],
    });
    // A human has it now: the bot keeps the message for them and says nothing.
    const third = await ask(bot, "How do I reset my password?");
    expect(third).toEqual([{ type: "handoff", reason: "awaiting-human", message: "" }]);
    expect((await store.history("c1")).at(-1)).toMatchObject({ role: "user", text: "How do I reset my password?" });
    // Channels ask the bot where the conversation stands (the store's answer, so every replica agrees).
    expect(await bot.status("c1")).toBe("handed-off");
    expect(await bot.status("never-started")).toBeUndefined();
    await bot.resolve("c1");
    expect(await bot.status("c1")).toBe("resolved");
    expect(types(await ask(bot, "How do I reset my password?"))).toEqual(["sources", "token", "done"]);
  });

  it("two bots on one store (replicas) answer the questions of one conversation one at a time, in order", async () => {
    const slow = new FakeChatModel({ answers: ["Use Export > CSV in the reports view, then pick the columns you need."], delayMs: 30 });
    const replicaA = make({ chatModel: slow });
    const replicaB = make();
    // Generated by the slow model, so A is still answering long after B has been asked.
    const first = replicaA.ask({ conversationId: "c1", text: "How do I export my data?", mode: "generative" });
    const seenFirst: BotEvent[] = [];
    // A is answering (its question stored, the model streaming) when the next question reaches B.
    while (!seenFirst.some((e) => e.type === "token")) seenFirst.push((await first.next()).value as BotEvent);
    const second = collect(replicaB.ask({ conversationId: "c1", text: "How do I reset my password?" }));
    const rest = await collect(first);
    expect(types([...seenFirst, ...rest]).at(-1)).toBe("done");
    expect(types(await second)).toEqual(["sources", "token", "done"]);
    const history = await store.history("c1");
    const streamedByA = [...seenFirst, ...rest].flatMap((e) => (e.type === "token" ? [e.text] : [])).join("");
    // A's question and its answer, then B's: B waited for A to store its answer, and saw it.
    expect(history.map((t) => t.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(history[0]!.text).toBe("How do I export my data?");
    expect(history[1]!.text).toBe(streamedByA);
    expect(history[2]!.text).toBe("How do I reset my password?");
    expect(history[3]!.text).toBe("Open Settings > Account and choose Reset password.");
    // Both released their claims: a third replica answers at once.
    expect(await store.claim("answer:c1", "replica-c", 1000)).toBe(true);
  });

  it("an abstention that ends in a handoff is stored as every channel shows it", async () => {
    const bot = make();
    await ask(bot, "Can I get a mortgage?");
    const events = await ask(bot, "What mortgage rates do you offer?");
    const stored = (await store.history("c1")).at(-1)!.text;
    const replay = async function* () {
      yield* events;
    };
    // Slack and Discord (renderAnswer), the CLI (collectAnswer, and what it streams): the text the history keeps.
    expect((await renderAnswer(replay(), { render: async () => {} })).text).toBe(stored);
    let streamed = "";
    expect((await collectAnswer(replay(), { onText: (text) => (streamed += text) })).answer).toBe(stored);
    expect(streamed).toBe(stored);
  });

  it("after a handed-off conversation is resolved, it takes two new abstentions to hand off again", async () => {
    const bot = make();
    await ask(bot, "Can I get a mortgage?");
    await ask(bot, "What mortgage rates do you offer?");
    await bot.resolve("c1");
    expect(types(await ask(bot, "Can I get a mortgage?"))).toEqual(["abstained"]);
    expect(types(await ask(bot, "Can I get a mortgage?"))).toEqual(["abstained", "handoff"]);
  });

  it("an answer between abstentions resets the count", async () => {
    const bot = make();
    await ask(bot, "Can I get a mortgage?");
    await ask(bot, "How do I reset my password?");
    expect(types(await ask(bot, "Can I get a mortgage?"))).toEqual(["abstained"]);
  });

  it("a customer asking for a person gets a handoff without retrieval", async () => {
    const bot = make({ policy: { product: "Tidepool", handoffAfterAbstentions: 0 } });
    const events = await ask(bot, "talk to a human please");
    expect(events).toEqual([{ type: "handoff", reason: "user-request", message: prompts.handoff.render({ product: "Tidepool" }), turnId: expect.any(String) }]);
    expect(retriever.queries).toEqual([]);
    expect((await store.getConversation("c1"))?.status).toBe("handed-off");
    expect((await store.history("c1")).map((t) => t.outcome ?? t.role)).toEqual(["user", "handoff"]);
  });

  it("follow-ups are condensed by rules without a model", async () => {
    const bot = make();
    await ask(bot, "Is there an Android app?");
    await ask(bot, "and does it export?");
    expect(retriever.queries).toEqual(["Is there an Android app?", "Is there an Android app? and does it export?"]);
  });

  it("cancelling stops generation, ends with ABORTED and stores nothing", async () => {
    const chatModel = new FakeChatModel({ answers: ["one two three four five six seven eight nine ten"], delayMs: 30 });
    const bot = make({ chatModel, policy: { product: "Tidepool", mode: "generative" } });
    const controller = new AbortController();
    const events: BotEvent[] = [];
    for await (const e of bot.ask({ conversationId: "c1", text: "How can I export everything?", signal: controller.signal })) {
      events.push(e);
      if (e.type === "token") controller.abort();
    }
    expect(types(events)).toEqual(["sources", "token", "error"]);
    expect(events.at(-1)).toMatchObject({ type: "error", code: "ABORTED" });
    expect(await store.history("c1")).toEqual([]);
    // The bot and the conversation carry on.
    expect(only(await ask(bot, "How can I export everything?"), "done").mode).toBe("generative");
  });

  it("a conversation whose model call fails gets an error event; another conversation is unaffected", async () => {
    const chatModel = new FakeChatModel({
      answers: (messages) => {
        if (messages.at(-1)!.content.includes("Android")) throw new LlamadeskError("MODEL_FAILED", "boom");
        return "Fine [1].";
      },
      delayMs: 5,
    });
    const bot = make({ chatModel, policy: { product: "Tidepool", mode: "generative" } });
    const [bad, good] = await Promise.all([
      ask(bot, "Is there an Android app?", { conversationId: "bad" }),
      ask(bot, "How can I export everything?", { conversationId: "good" }),
    ]);
    expect(bad.at(-1)).toEqual({ type: "error", code: "MODEL_FAILED", message: "boom" });
    expect(only(good, "done").answer).toBe("Fine [1].");
  });

  it("asks in one conversation run one after another, so the second sees the first", async () => {
    const chatModel = new FakeChatModel({ answers: ["Answer one.", "Answer two."], delayMs: 10 });
    const bot = make({ chatModel, policy: { product: "Tidepool", mode: "generative" } });
    const [a, b] = await Promise.all([ask(bot, "How can I export everything?"), ask(bot, "Is there an Android app?")]);
    expect(only(a, "done").answer).toBe("Answer one.");
    expect(only(b, "done").answer).toBe("Answer two.");
    expect(chatModel.calls[1]!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect((await store.history("c1")).map((t) => t.text)).toEqual(["How can I export everything?", "Answer one.", "Is there an Android app?", "Answer two."]);
  });

  it("drops the least relevant sources when the prompt does not fit the model's context", async () => {
    const chatModel = new FakeChatModel({
      answers: (messages) => {
        if (messages.at(-1)!.content.includes("[2]")) throw new LlamadeskError("PROMPT_TOO_LONG", "too long");
        return "Short [1].";
      },
    });
    const events = await ask(make({ chatModel, policy: { product: "Tidepool", mode: "generative" } }), "How can I export everything?");
    expect(types(events)).toEqual(["sources", "token", "token", "done"]);
    expect(only(events, "sources").sources.map((s) => s.id)).toEqual(["export"]);
    expect(chatModel.calls).toHaveLength(3);
  });

  it("the ask's mode overrides the policy's", async () => {
    const chatModel = new FakeChatModel({ answers: ["Generated [1]."] });
    const bot = make({ chatModel });
    expect(only(await ask(bot, "How do I reset my password?", { mode: "generative" }), "done").mode).toBe("generative");
    expect(only(await ask(bot, "How can I export everything?", { mode: "extractive", conversationId: "c2" }), "done").answer).toBe(
      "Choose File > Export and pick CSV or JSON.",
    );
  });

  it("bad input is an error event naming the field, not an exception", async () => {
    const bot = make();
    expect(await collect(bot.ask({ conversationId: "", text: "hi" }))).toEqual([{ type: "error", code: "INVALID_OPTION", message: expect.stringContaining("conversationId") }]);
    expect(await collect(bot.ask({ conversationId: "c", text: "  " }))).toEqual([{ type: "error", code: "INVALID_OPTION", message: expect.stringContaining("text") }]);
    expect(() => make({ policy: { minConfidence: 2 } })).toThrow(/policy.minConfidence/);
  });

  it("records feedback on an answer through the bot", async () => {
    const bot = make();
    const done = only(await ask(bot, "How do I reset my password?"), "done");
    expect(await bot.feedback({ turnId: done.turnId, userId: "u1", vote: "up" })).toEqual({ up: 1, down: 0 });
  });
});

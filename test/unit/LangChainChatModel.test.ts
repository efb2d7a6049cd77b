import { AIMessage, AIMessageChunk, ChatMessage as GenericMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { isLlamadeskError, LlamadeskError } from "../../src/errors.js";
import { createChatStream, type ChatModel } from "../../src/model/ChatModel.js";
import { LlamadeskChatModel, toLangChainChatModel } from "../../src/model/LangChainChatModel.js";
import { FakeChatModel } from "../../src/testing/index.js";

const ANSWER = "Open Settings, then choose Reset password.";

/**
 * A model that emits "t0", " t1", ... (up to 1,000) a few milliseconds apart and records, per request, how many
 * pieces it emitted before its generation ended: proof that an abort reached the generation itself.
 */
function ticker(): ChatModel & { ended: Promise<number>[] } {
  const ended: Promise<number>[] = [];
  return {
    id: "ticker",
    ended,
    stream: (messages, options) => {
      let finish!: (emitted: number) => void;
      ended.push(new Promise((resolve) => (finish = resolve)));
      return createChatStream(async (emit, signal) => {
        let emitted = 0;
        while (emitted < 1000 && !signal.aborted) {
          emit(`${emitted === 0 ? "" : " "}t${emitted}`);
          emitted++;
          await sleep(2);
        }
        finish(emitted);
        const text = Array.from({ length: emitted }, (_, i) => `t${i}`).join(" ");
        return { text, stopReason: signal.aborted ? "abort" : "maxTokens", tokens: emitted, promptTokens: messages.length, promptTokensEvaluated: messages.length, promptTokensReused: 0, droppedMessages: 0, queueMs: 0, timeToFirstTokenMs: 0, totalMs: 0 };
      }, options?.signal);
    },
    dispose: async () => {},
  };
}

const coded = (code: Parameters<typeof isLlamadeskError>[1], pattern: RegExp) => (e: unknown) => isLlamadeskError(e, code) && pattern.test((e as Error).message);

describe("LlamadeskChatModel (LangChain chat model over a llamadesk ChatModel)", () => {
  it("invoke() answers with an AIMessage carrying usage and the generation's figures", async () => {
    const fake = new FakeChatModel({ answers: [ANSWER], id: "fake-7b" });
    const model = toLangChainChatModel(fake);
    const reply = await model.invoke([new SystemMessage("Be brief."), new HumanMessage("How do I reset my password?")]);
    expect(AIMessage.isInstance(reply)).toBe(true);
    expect(reply.content).toBe(ANSWER);
    expect(reply.usage_metadata).toEqual({ input_tokens: 8, output_tokens: 6, total_tokens: 14, input_token_details: { cache_read: 0 } });
    expect(reply.response_metadata).toMatchObject({
      model_name: "fake-7b",
      finish_reason: "stop",
      stopReason: "eos",
      tokens: 6,
      promptTokens: 8,
      promptTokensEvaluated: 8,
      promptTokensReused: 0,
      droppedMessages: 0,
    });
    expect(reply.response_metadata.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(model._llmType()).toBe("llamadesk");
  });

  it("stream() yields the answer in pieces that join to what invoke() returns, figures on the last chunk", async () => {
    const model = toLangChainChatModel(new FakeChatModel({ answers: [ANSWER] }));
    const invoked = await model.invoke("How do I reset my password?");
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream("How do I reset my password?")) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.content).join("")).toBe(invoked.content);
    expect(chunks.slice(0, -1).every((c) => c.usage_metadata === undefined)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.content).toBe("");
    expect(last.usage_metadata).toEqual(invoked.usage_metadata);
    expect(last.response_metadata).toMatchObject({ stopReason: "eos", finish_reason: "stop", tokens: 6 });
    // Concatenated, the chunks are one message with the usage counted once.
    const whole = chunks.reduce((a, b) => a.concat(b));
    expect(whole.content).toBe(ANSWER);
    expect(whole.usage_metadata?.output_tokens).toBe(6);
  });

  it("maps system, human, AI and generic role messages, and text content blocks, to llamadesk messages", async () => {
    const fake = new FakeChatModel();
    const model = toLangChainChatModel(fake);
    await model.invoke([
      new SystemMessage("Be brief."),
      new HumanMessage({ content: [{ type: "text", text: "Hello " }, { type: "text", text: "there" }] }),
      new AIMessage("Hi! How can I help?"),
      new GenericMessage("Where is my order?", "user"),
      new GenericMessage("It shipped.", "assistant"),
      ["human", "Thanks, and the invoice?"],
    ]);
    expect(fake.calls[0]!.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello there" },
      { role: "assistant", content: "Hi! How can I help?" },
      { role: "user", content: "Where is my order?" },
      { role: "assistant", content: "It shipped." },
      { role: "user", content: "Thanks, and the invoice?" },
    ]);
  });

  it("rejects what a llamadesk model cannot read with INVALID_OPTION naming the message, before generating", async () => {
    const fake = new FakeChatModel();
    const model = toLangChainChatModel(fake);
    const ask = new HumanMessage("Hi");
    await expect(model.invoke([ask, new ToolMessage({ content: "42", tool_call_id: "t1" }), ask])).rejects.toSatisfy(coded("INVALID_OPTION", /messages\[1\] is a tool message.*human or system message/));
    const calling = new AIMessage({ content: "", tool_calls: [{ id: "t1", name: "lookup", args: {} }] });
    await expect(model.invoke([ask, calling, ask])).rejects.toSatisfy(coded("INVALID_OPTION", /messages\[1\].*tool calls/));
    const image = new HumanMessage({ content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] });
    await expect(model.invoke([image])).rejects.toSatisfy(coded("INVALID_OPTION", /messages\[0\] has a "image_url" content block; .*text only/));
    await expect(model.invoke([new GenericMessage("Hmm", "critic"), ask])).rejects.toSatisfy(coded("INVALID_OPTION", /role "critic"/));
    // The llamadesk model's own check: the last message must be the question.
    await expect(model.invoke([ask, new AIMessage("Hello")])).rejects.toSatisfy(coded("INVALID_OPTION", /must end with a user message/));
    await expect(model.stream([image])).rejects.toSatisfy(coded("INVALID_OPTION", /text only/));
    expect(fake.calls).toEqual([]);
  });

  it("passes stop, maxTokens, temperature, topP and conversationKey; call options beat defaults, which beat the model's", async () => {
    const fake = new FakeChatModel({ answers: ["one two three four five six"] });
    const model = toLangChainChatModel(fake, { maxTokens: 4, temperature: 0.1 });
    const limited = await model.invoke("Count");
    expect(limited.content).toBe("one two three four");
    expect(limited.response_metadata).toMatchObject({ stopReason: "maxTokens", finish_reason: "length" });
    const stopped = await model.invoke("Count", { stop: [" three"], maxTokens: 10, topP: 0.5, temperature: 0, conversationKey: "c1" });
    expect(stopped.content).toBe("one two");
    expect(stopped.response_metadata).toMatchObject({ stopReason: "stop", finish_reason: "stop" });
    // LangChain's array form of generate() is stop strings too.
    await model.generate([[new HumanMessage("Count")]], [" five"]);
    expect(fake.calls.map((c) => c.options)).toEqual([
      { maxTokens: 4, temperature: 0.1 },
      { maxTokens: 10, temperature: 0, topP: 0.5, stop: [" three"], conversationKey: "c1" },
      { maxTokens: 4, temperature: 0.1, stop: [" five"] },
    ]);
    expect(model.invocationParams({ conversationKey: "c2" } as LlamadeskChatModel["ParsedCallOptions"])).toEqual({
      model: "fake-chat",
      maxTokens: 4,
      temperature: 0.1,
      conversationKey: "c2",
    });
  });

  it("reports a bad default when created, naming the field", () => {
    const fake = new FakeChatModel();
    expect(() => toLangChainChatModel(fake, { maxTokens: 0 })).toThrow(LlamadeskError);
    expect(() => toLangChainChatModel(fake, { topP: 2 })).toThrow(/topP must be/);
    expect(() => new LlamadeskChatModel({ chatModel: fake, stop: [""] })).toThrow(/stop must be/);
  });

  it("aborting the signal rejects with the signal's reason and stops the generation, in invoke() and stream()", async () => {
    const model = ticker();
    const chat = toLangChainChatModel(model);
    const controller = new AbortController();
    const tokens: string[] = [];
    const invoked = chat.invoke("Go", {
      signal: controller.signal,
      callbacks: [{ handleLLMNewToken: (token: string) => void (tokens.push(token) === 2 && controller.abort(new Error("customer left"))) }],
    });
    await expect(invoked).rejects.toThrow("customer left");
    expect(tokens.slice(0, 2)).toEqual(["t0", " t1"]);
    expect(await model.ended[0]).toBeLessThan(1000);

    const later = new AbortController();
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of await chat.stream("Go", { signal: later.signal })) {
          seen.push(chunk.content);
          if (seen.length === 3) later.abort(new Error("gone"));
        }
      })(),
    ).rejects.toThrow("gone");
    expect(seen).toEqual(["t0", " t1", " t2"]);
    expect(await model.ended[1]).toBeLessThan(1000);
  });

  it("a consumer that stops reading the stream stops the generation", async () => {
    const model = ticker();
    for await (const chunk of await toLangChainChatModel(model).stream("Go")) if (chunk.content === " t1") break;
    expect(await model.ended[0]).toBeLessThan(1000);
  });

  it("composes in a RunnableSequence: prompt | model | string parser, invoked and streamed, with conversationKey bound", async () => {
    const fake = new FakeChatModel({ answers: (messages) => `You asked about ${messages.at(-1)!.content}` });
    const prompt = ChatPromptTemplate.fromMessages([
      ["system", "You are the support assistant for {product}."],
      ["human", "{question}"],
    ]);
    const chain = prompt.pipe(toLangChainChatModel(fake, { maxTokens: 50 }).withConfig({ conversationKey: "c7" })).pipe(new StringOutputParser());
    const input = { product: "Acme", question: "refunds" };
    expect(await chain.invoke(input)).toBe("You asked about refunds");
    const pieces: string[] = [];
    for await (const piece of await chain.stream(input)) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe("You asked about refunds");
    expect(fake.calls).toHaveLength(2);
    for (const call of fake.calls) {
      expect(call.messages).toEqual([
        { role: "system", content: "You are the support assistant for Acme." },
        { role: "user", content: "refunds" },
      ]);
      expect(call.options).toEqual({ maxTokens: 50, conversationKey: "c7" });
    }
  });

  it("the model's coded errors come through unchanged, in invoke(), stream() and a chain", async () => {
    const failure = new LlamadeskError("MODEL_FAILED", "fake-broken failed while generating: out of memory");
    const broken: ChatModel = {
      id: "fake-broken",
      stream: () =>
        createChatStream(async (emit) => {
          emit("Partial");
          throw failure;
        }),
      dispose: async () => {},
    };
    const model = toLangChainChatModel(broken);
    await expect(model.invoke("Hi")).rejects.toBe(failure);
    await expect(
      (async () => {
        for await (const _ of await model.stream("Hi"));
      })(),
    ).rejects.toBe(failure);
    await expect(ChatPromptTemplate.fromMessages([["human", "{q}"]]).pipe(model).pipe(new StringOutputParser()).invoke({ q: "Hi" })).rejects.toBe(failure);
  });
});

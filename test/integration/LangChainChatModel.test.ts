import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage, HumanMessage, SystemMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toLangChainChatModel, type LlamadeskChatModel, type LlamadeskResponseMetadata } from "../../src/model/LangChainChatModel.js";
import { LlamaChatModel } from "../../src/model/LlamaChatModel.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";

// The real LlamaChatModel on a tiny random-weight Llama 2 (real tokenizer) in a 512-token context, small enough
// for the failures of @langchain/community's ChatLlamaCpp to show: KV slots running out over many turns
// (langchainjs#5481) and streams that run on through "[INST]" (langchainjs#7618). Output is gibberish: structure only.
describe("LlamadeskChatModel over LlamaChatModel", () => {
  let work: string;
  let llama: Llama;
  let chat: LlamaChatModel;
  let model: LlamadeskChatModel;

  const figures = (message: { response_metadata: unknown }) => message.response_metadata as LlamadeskResponseMetadata;

  /** Streams `messages`, checking what every stream must do; returns the text and the last chunk's figures. */
  const streamed = async (messages: BaseMessage[], options: Parameters<LlamadeskChatModel["stream"]>[1] = {}) => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream(messages, options)) chunks.push(chunk);
    const text = chunks.map((c) => c.content).join("");
    const info = figures(chunks.at(-1)!);
    expect(text).toBe(chunks.reduce((a, b) => a.concat(b)).content);
    // One chunk per piece plus the closing one; a piece is at least one token.
    expect(chunks.length - 1).toBeLessThanOrEqual(info.tokens);
    return { text, info };
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-langchain-"));
    const modelPath = await writeTinyLlamaGguf({ path: join(work, "tiny.gguf") });
    llama = await getLlama({ gpu: "auto", build: "never", skipDownload: true });
    // One thread: a model this small gains nothing from two, and spinning threads crawl beside other test runs.
    chat = await LlamaChatModel.create({ modelPath, llama, contextSize: 512, threads: 1 });
    model = toLangChainChatModel(chat, { maxTokens: 24 });
  }, 180_000);

  afterAll(async () => {
    await chat?.dispose();
    await llama?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("#5481: 45 turns of a growing conversation, interleaved with others, never run out of KV slots or context", async () => {
    const system = new SystemMessage("You are the Acme support assistant. Answer briefly and cite the FAQ.");
    const long: BaseMessage[] = [system];
    const others: BaseMessage[][] = [[system], [system], [system]];
    let spoken = 0;
    let maxDropped = 0;
    for (let turn = 1; turn <= 45; turn++) {
      long.push(new HumanMessage(`Question ${turn}: where is my order number ${1000 + turn}, and when will it arrive?`));
      const reply = await model.invoke(long, { conversationKey: "long" });
      const info = figures(reply);
      expect(info.promptTokens + info.tokens).toBeLessThanOrEqual(chat.contextSize);
      expect(reply.usage_metadata?.input_tokens).toBe(info.promptTokens);
      long.push(new AIMessage(reply.content as string));
      spoken += info.tokens;
      maxDropped = Math.max(maxDropped, info.droppedMessages);

      // Another conversation takes the (only) sequence in between, through invoke() or stream().
      const other = others[turn % others.length]!;
      other.push(new HumanMessage(`Customer ${turn % others.length}: can I change my delivery address?`));
      const key = `other-${turn % others.length}`;
      const text = turn % 2 === 0 ? (await model.invoke(other, { conversationKey: key, maxTokens: 8 })).content : (await streamed(other, { conversationKey: key, maxTokens: 8 })).text;
      other.push(new AIMessage(text as string));
    }
    // The whole conversation no longer fits: old turns were left out, and turn 45 still answered.
    const whole = chat.renderPrompt(long.map((m) => ({ role: m.type === "human" ? "user" : m.type === "ai" ? "assistant" : "system", content: m.content as string }))).tokens.length;
    expect(whole).toBeGreaterThan(chat.contextSize);
    expect(maxDropped).toBeGreaterThan(0);
    expect(spoken).toBeGreaterThan(0);
    console.info(`45 turns + 45 interleaved: whole conversation ${whole} tokens in a ${chat.contextSize}-token context, up to ${maxDropped} old messages left out, ${spoken} tokens answered`);
  });

  it("#7618: a stream ends (eos or maxTokens), never passes maxTokens, never contains [INST], and equals invoke() at temperature 0", async () => {
    const ask = [new SystemMessage("Be brief."), new HumanMessage("How do I reset my password?")];
    for (const maxTokens of [1, 16, 48]) {
      const { text, info } = await streamed(ask, { maxTokens, temperature: 0 });
      expect(["eos", "maxTokens"]).toContain(info.stopReason);
      expect(info.tokens).toBeLessThanOrEqual(maxTokens);
      expect(info.tokens).toBeGreaterThan(0);
      expect(text).not.toContain("[INST]");
      const invoked = await model.invoke(ask, { maxTokens, temperature: 0 });
      expect(invoked.content).toBe(text);
      expect(figures(invoked).tokens).toBe(info.tokens);
    }
    // Sampled rather than greedy, longer, and after a turn that already holds "[INST]"-like text.
    const followUp = [...ask, new AIMessage("Open Settings. [INST] hi [/INST]"), new HumanMessage("And then?")];
    for (let i = 0; i < 3; i++) {
      const { text, info } = await streamed(followUp, { maxTokens: 64, temperature: 1 });
      expect(["eos", "maxTokens"]).toContain(info.stopReason);
      expect(info.tokens).toBeLessThanOrEqual(64);
      expect(text).not.toContain("[INST]");
    }
  });

  it("runs as a chain: prompt | model | parser streams what it invokes, with prefix reuse through conversationKey", async () => {
    const prompt = ChatPromptTemplate.fromMessages([
      ["system", `You are the support assistant for {product}. ${"Answer from the FAQ only. ".repeat(10)}`],
      ["human", "{question}"],
    ]);
    const bound = model.withConfig({ conversationKey: "chain", temperature: 0, maxTokens: 12 });
    const chain = prompt.pipe(bound).pipe(new StringOutputParser());
    const input = { product: "Acme", question: "Where are my invoices?" };
    const invoked = await chain.invoke(input);
    const pieces: string[] = [];
    for await (const piece of await chain.stream(input)) pieces.push(piece);
    expect(pieces.join("")).toBe(invoked);
    // The same conversation again: its evaluated prompt is reused, as LangChain users now see in usage_metadata.
    const reply = await prompt.pipe(bound).invoke(input);
    expect(reply.usage_metadata?.input_token_details?.cache_read).toBeGreaterThan(0);
    expect(figures(reply).promptTokensEvaluated).toBeLessThan(figures(reply).promptTokens);
  });
});

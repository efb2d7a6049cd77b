import { loadavg } from "node:os";
import OpenAI from "openai";
import { createBot } from "../src/bot.js";
import type { BotEvent } from "../src/BotEvent.js";
import type { ChatMessage } from "../src/model/ChatModel.js";
import { LlamaChatModel } from "../src/model/LlamaChatModel.js";
import { OpenAiChatModel } from "../src/model/OpenAiChatModel.js";
import { MemoryConversationStore } from "../src/store/MemoryConversationStore.js";
import { startOpenAiCompatibleServer } from "../src/testing/startOpenAiCompatibleServer.js";
import { flush, median, ms } from "./answer/AnswerBenchContext.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { BENCH_MODEL_DIR, benchModelPath } from "./lib/benchModelPath.js";
import { writeTinyLlamaGguf } from "../src/testing/writeTinyLlamaGguf.js";
import { RecordingChatModel } from "./lib/RecordingChatModel.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { sampleKnowledge } from "./lib/sampleKnowledge.js";

type Done = Extract<BotEvent, { type: "done" }>;

const DECODE_TARGET = { op: ">=", value: 0.97 } as const;
const TTFT_TARGET = { op: "<=", value: 1.05 } as const;
const SETTINGS = { runs: 6, maxTokens: 64 };
const QUICK = { runs: 2, maxTokens: 32 };
/** The served model's shape: TinyLlama-1.1B (about a real small model's rate) or the tests' tiny one (hundreds of tokens/s: the pipeline's per-token cost shows most). */
const SHAPES = { tinyllama: "TinyLlama-1.1B-shaped Q4_0", tiny: "tiny (2-layer, 64-d) Q4_0" } as const;
const GENERATION = { temperature: 0.2, topP: 0.9 };

interface BareSample {
  ttftMs: number;
  tokens: number;
  decodeTokensPerSecond: number;
}

/**
 * The pipeline over the wire: `bot.ask` with its chat model on an OpenAI-compatible server against a bare streaming
 * client (the `openai` package, nothing else) sending the very prompt the bot sent to the same server. The server is
 * the loopback one from src/testing, generating with a random-weight TinyLlama-1.1B-shaped Q4_0 through llama.cpp
 * (real tokens at a real rate; the words are gibberish). Both ignore EOS, so every answer is exactly maxTokens long,
 * and the server's sequence is flushed before each request, so both evaluate the whole prompt.
 */
export async function benchModelServer(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("model-server");
  const settings = {
    ...(options.quick ? QUICK : SETTINGS),
    ...(process.env.BENCH_MODEL_SERVER_RUNS ? { runs: Number(process.env.BENCH_MODEL_SERVER_RUNS) } : {}),
    ...(process.env.BENCH_MODEL_SERVER_TOKENS ? { maxTokens: Number(process.env.BENCH_MODEL_SERVER_TOKENS) } : {}),
  };
  const shape = (process.env.BENCH_MODEL_SERVER_SHAPE?.trim() || "tinyllama") as keyof typeof SHAPES;
  if (!(shape in SHAPES)) throw new Error(`BENCH_MODEL_SERVER_SHAPE=${shape}: use ${Object.keys(SHAPES).join(" or ")}.`);
  const label = SHAPES[shape];
  const knowledge = await sampleKnowledge(await options.embedder());
  // The tiny model is the tests' (their vocabulary and quantised weights), with room for the bot's prompt.
  const modelPath = shape === "tiny" ? await writeTinyLlamaGguf({ path: `${BENCH_MODEL_DIR}tiny-2048-q4_0.gguf`, contextLength: 2048 }) : await benchModelPath(shape, "Q4_0");
  // One thread: on a busy machine, llama.cpp's threads wait on each other at every step (a descheduled one stalls them all).
  const backend = await LlamaChatModel.create({ modelPath, contextSize: 2048, sequences: 1, threads: Number(process.env.BENCH_MODEL_SERVER_THREADS) || 1 });
  const server = await startOpenAiCompatibleServer({ chatModel: backend, models: ["tinyllama-1.1b-chat"] });
  const store = new MemoryConversationStore();
  console.log(`\n[model-server] ${label}: bot.ask through OpenAiChatModel vs a bare openai streaming client, same server (${server.url}) and prompt, ${settings.runs} runs after a warm-up, ${settings.maxTokens} tokens each; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  try {
    const recording = new RecordingChatModel(new OpenAiChatModel({ baseUrl: server.url, model: "tinyllama-1.1b-chat", timeoutMs: 600_000 }), { ignoreEos: true });
    const bot = createBot({
      knowledge: knowledge.store,
      embedder: knowledge.embedder,
      chatModel: recording,
      store,
      prompts: knowledge.prompts,
      policy: { mode: "generative", condense: "rules", generation: { maxTokens: settings.maxTokens, ...GENERATION, ignoreEos: true } },
    });
    const client = new OpenAI({ baseURL: server.url, apiKey: "none", defaultHeaders: { Authorization: null }, maxRetries: 0, timeout: 600_000 });
    const samples: Array<{ bot: Done; bare: BareSample }> = [];
    for (let i = 0; i <= settings.runs; i++) {
      const question = knowledge.questions[i % knowledge.questions.length]!;
      let conversations = 0;
      const askBot = async () => {
        await flush(backend);
        return ask(bot, `bench-${i}-${++conversations}`, question);
      };
      const askBare = async (messages: ChatMessage[]) => {
        await flush(backend);
        return bare(client, messages, settings.maxTokens);
      };
      // The bot goes first (its prompt is what the bare client replays); then the order alternates, so drift hits both.
      const first = await askBot();
      const messages = recording.requests.at(-1)!.messages;
      const bareSample = await askBare(messages);
      const botDone = i % 2 === 0 ? first : await askBot();
      const t = botDone.timing;
      if (t.tokens !== settings.maxTokens || bareSample.tokens !== settings.maxTokens) console.log(`    note: bot ${t.tokens} tokens, bare ${bareSample.tokens} (expected ${settings.maxTokens})`);
      console.log(
        `    ${i === 0 ? "warm-up" : `run ${i}`}: bare ttft ${ms(bareSample.ttftMs)} + retrieval ${ms(t.retrievalMs)}, ${bareSample.decodeTokensPerSecond.toFixed(1)} tok/s | ` +
          `bot ttft ${ms(t.timeToFirstTokenMs!)} (prompt ${t.promptTokens} tokens), ${t.tokensPerSecond!.toFixed(1)} tok/s`,
      );
      if (i > 0) samples.push({ bot: botDone, bare: bareSample });
    }
    const m = (pick: (s: (typeof samples)[number]) => number) => median(samples.map(pick));
    rec.record(`bare client decode (${label})`, m((s) => s.bare.decodeTokensPerSecond), "tok/s");
    rec.record(`bot.ask decode through OpenAiChatModel (${label})`, m((s) => s.bot.timing.tokensPerSecond!), "tok/s");
    rec.record(`bot.ask / bare client decode tok/s (${label})`, m((s) => s.bot.timing.tokensPerSecond! / s.bare.decodeTokensPerSecond), "x", DECODE_TARGET);
    rec.record(`bare client time to first token (${label})`, m((s) => s.bare.ttftMs), "ms");
    rec.record(`bot.ask retrieval (${label})`, m((s) => s.bot.timing.retrievalMs), "ms");
    rec.record(`bot.ask time to first token (${label})`, m((s) => s.bot.timing.timeToFirstTokenMs!), "ms");
    rec.record(`bot.ask ttft / (bare client ttft + retrieval) (${label})`, m((s) => s.bot.timing.timeToFirstTokenMs! / (s.bare.ttftMs + s.bot.timing.retrievalMs)), "x", TTFT_TARGET);
  } finally {
    await store.dispose();
    await server.close();
    await backend.dispose();
  }
  return rec.rows;
}

/** One streamed completion with the bare client, timed as the bot times its answers: first and last piece. */
async function bare(client: OpenAI, messages: ChatMessage[], maxTokens: number): Promise<BareSample> {
  const startedAt = performance.now();
  const stream = await client.chat.completions.create({
    model: "tinyllama-1.1b-chat",
    messages,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: maxTokens,
    temperature: GENERATION.temperature,
    top_p: GENERATION.topP,
    ...({ ignore_eos: true } as object),
  });
  let firstAt: number | undefined;
  let lastAt = 0;
  let tokens = 0;
  for await (const chunk of stream) {
    if (chunk.usage) tokens = chunk.usage.completion_tokens;
    if (chunk.choices[0]?.delta?.content) {
      lastAt = performance.now();
      firstAt ??= lastAt;
    }
  }
  if (firstAt === undefined) throw new Error("The bare client got no text: nothing to time.");
  return { ttftMs: firstAt - startedAt, tokens, decodeTokensPerSecond: (tokens - 1) / ((lastAt - firstAt) / 1000) };
}

async function ask(bot: ReturnType<typeof createBot>, conversationId: string, text: string): Promise<Done> {
  let done: Done | undefined;
  for await (const event of bot.ask({ conversationId, text })) {
    if (event.type === "done") done = event;
    else if (event.type !== "sources" && event.type !== "token" && event.type !== "notice") throw new Error(`bot.ask(${JSON.stringify(text)}) gave ${JSON.stringify(event).slice(0, 300)}`);
  }
  if (done?.mode !== "generative" || done.timing.timeToFirstTokenMs === null || done.timing.tokensPerSecond === null) {
    throw new Error(`bot.ask(${JSON.stringify(text)}) gave no timed generative answer: ${JSON.stringify(done?.timing)}`);
  }
  return done;
}

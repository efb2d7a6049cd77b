import { createBot, type Bot } from "../../src/bot.js";
import type { BotEvent } from "../../src/BotEvent.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";
import { RecordingChatModel } from "../lib/RecordingChatModel.js";
import type { SpeedSample } from "../lib/timeChatStream.js";
import { checkTokens, flush, median, ms, type AnswerBenchContext } from "./AnswerBenchContext.js";

type Done = Extract<BotEvent, { type: "done" }>;

const DECODE_TARGET = { op: ">=", value: 0.97 } as const;
const TTFT_TARGET = { op: "<=", value: 1.05 } as const;
const SECOND_TURN_TARGET = { op: "<=", value: 0.5 } as const;
/** A third turn: a short follow-up, which retrieval joins to the previous question, so its sources were mostly given already. */
const FOLLOW_UP = "And how long does that take?";

/**
 * The whole pipeline: `bot.ask` (condense, retrieval with the real embedder, gate, prompt, generation, citations,
 * store) against a raw LlamaChatSession given the exact prompt the bot sent. Each conversation has two standalone
 * questions on one topic (no condensing; their sources overlap), then a short follow-up: the later turns' speed-up
 * is the model reusing the conversation's prefix and the prompt referring to sources given before by number.
 */
export async function measureBotSpeed(ctx: AnswerBenchContext): Promise<void> {
  const { rec, label, raw, knowledge, generation, runs } = ctx;
  const store = new MemoryConversationStore();
  // One bot per LlamaChatModel, used in turn. Each records the prompts it sends, for the raw baseline.
  const bots = ctx.chatModels.map((model) => {
    const recording = new RecordingChatModel(model, { ignoreEos: generation.ignoreEos });
    const bot = createBot({
      knowledge: knowledge.store,
      embedder: knowledge.embedder,
      chatModel: recording,
      store,
      prompts: knowledge.prompts,
      // "rules": a short follow-up is joined to the previous question for retrieval, with no model call before the answer.
      policy: { mode: "generative", condense: "rules", generation: { maxTokens: generation.maxTokens, temperature: generation.temperature, topP: generation.topP, ignoreEos: generation.ignoreEos } },
    });
    return { model, recording, bot };
  });
  const question = (i: number) => knowledge.questions[i % knowledge.questions.length]!;
  console.log(`\n[answer] ${label}, bot level: bot.ask vs raw LlamaChatSession on the bot's own prompt, ${runs} runs after a warm-up`);
  const samples: Array<{ first: Done; second: Done; third: Done | undefined; raw: SpeedSample }> = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const { model, recording, bot } = bots[(i >> 1) & 1]!;
      await flush(model);
      const conversationId = `bench-${i}`;
      const first = await answer(bot, conversationId, question(i));
      const request = recording.requests.at(-1)!;
      if (i === 0 && request.options.ignoreEos !== true) console.log("    note: the bot does not pass policy.generation.ignoreEos to the chat model; the bench adds it");
      const runRaw = () => raw.run(request.messages, generation);
      // Alternate the raw run before and after the second turn, so drift hits both alike.
      let rawSample = i % 2 === 0 ? await runRaw() : undefined;
      const second = await answer(bot, conversationId, knowledge.related(question(i)));
      rawSample ??= await runRaw();
      const third = await answer(bot, conversationId, FOLLOW_UP, { orAbstain: true });
      checkTokens("raw", rawSample, generation.maxTokens);
      for (const done of [first, second]) checkTokens("bot", done.timing, generation.maxTokens);
      const t1 = first.timing;
      const t2 = second.timing;
      if (rawSample.promptTokens !== t1.promptTokens) console.log(`    note: raw prompt ${rawSample.promptTokens} tokens, the bot's ${t1.promptTokens}`);
      console.log(
        `    ${i === 0 ? "warm-up" : `run ${i}`}: raw ttft ${ms(rawSample.ttftMs)} + retrieval ${ms(t1.retrievalMs)}, ${rawSample.decodeTokensPerSecond.toFixed(1)} tok/s | ` +
          `bot ttft ${ms(t1.timeToFirstTokenMs!)} (${t1.promptTokensEvaluated}/${t1.promptTokens} evaluated), ${t1.tokensPerSecond!.toFixed(1)} tok/s | ` +
          `turn 2 ttft ${ms(t2.timeToFirstTokenMs!)} (${t2.promptTokensEvaluated}/${t2.promptTokens} evaluated) | ` +
          (third ? `turn 3 ttft ${ms(third.timing.timeToFirstTokenMs!)} (${third.timing.promptTokensEvaluated}/${third.timing.promptTokens} evaluated)` : "turn 3 abstained"),
      );
      if (i > 0) samples.push({ first, second, third, raw: rawSample });
    }
  } finally {
    // Not bot.dispose(): that would dispose the shared chat model and embedder, which the bench owns.
    await store.dispose();
  }

  const m = (pick: (s: (typeof samples)[number]) => number) => median(samples.map(pick));
  rec.record(`bot.ask decode (${label})`, m((s) => s.first.timing.tokensPerSecond!), "tok/s");
  rec.record(`bot.ask / raw decode tok/s (${label})`, m((s) => s.first.timing.tokensPerSecond! / s.raw.decodeTokensPerSecond), "x", DECODE_TARGET);
  rec.record(`bot.ask retrieval (${label})`, m((s) => s.first.timing.retrievalMs), "ms");
  rec.record(`bot.ask time to first token (${label})`, m((s) => s.first.timing.timeToFirstTokenMs!), "ms");
  rec.record(
    `bot.ask ttft / (raw prompt eval + retrieval) (${label})`,
    m((s) => s.first.timing.timeToFirstTokenMs! / (s.raw.ttftMs + s.first.timing.retrievalMs)),
    "x",
    TTFT_TARGET,
  );
  rec.record(`bot.ask 2nd-turn (related question) time to first token (${label})`, m((s) => s.second.timing.timeToFirstTokenMs!), "ms");
  rec.record(`bot.ask 2nd-turn / 1st-turn time to first token (${label})`, m((s) => s.second.timing.timeToFirstTokenMs! / s.first.timing.timeToFirstTokenMs!), "x", SECOND_TURN_TARGET);
  const followUps = samples.filter((s) => s.third !== undefined);
  if (followUps.length > 0) {
    const ratio = median(followUps.map((s) => s.third!.timing.timeToFirstTokenMs! / s.first.timing.timeToFirstTokenMs!));
    rec.record(`bot.ask 3rd-turn (short follow-up) / 1st-turn time to first token (${label})`, ratio, "x", SECOND_TURN_TARGET);
  }
}

/** Asks and returns the `done` event; anything else (an error; an abstention unless allowed) stops the bench with what happened. */
async function answer(bot: Bot, conversationId: string, text: string): Promise<Done>;
async function answer(bot: Bot, conversationId: string, text: string, options: { orAbstain: true }): Promise<Done | undefined>;
async function answer(bot: Bot, conversationId: string, text: string, options?: { orAbstain: true }): Promise<Done | undefined> {
  let done: Done | undefined;
  for await (const event of bot.ask({ conversationId, text })) {
    if (event.type === "done") done = event;
    else if (event.type === "abstained" && options?.orAbstain) return undefined;
    else if (event.type !== "sources" && event.type !== "token" && event.type !== "notice") {
      throw new Error(`bot.ask(${JSON.stringify(text)}) gave ${JSON.stringify(event).slice(0, 300)} instead of a generative answer`);
    }
  }
  if (done?.mode !== "generative" || done.timing.timeToFirstTokenMs === null || done.timing.tokensPerSecond === null) {
    throw new Error(`bot.ask(${JSON.stringify(text)}) gave no timed generative answer: ${JSON.stringify(done?.timing)}`);
  }
  return done;
}

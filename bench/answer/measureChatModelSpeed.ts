import type { ChatMessage } from "../../src/model/ChatModel.js";
import { timeChatStream, type SpeedSample } from "../lib/timeChatStream.js";
import { checkTokens, contender, flush, median, ms, type AnswerBenchContext } from "./AnswerBenchContext.js";

const DECODE_TARGET = { op: ">=", value: 0.97 } as const;
const TTFT_TARGET = { op: "<=", value: 1.05 } as const;
const SECOND_TURN_TARGET = { op: "<=", value: 0.5 } as const;

/**
 * Decode speed, LlamaChatModel against a raw LlamaChatSession: a short prompt (the system prompt and a question)
 * and `decodeTokens` tokens, in pairs that alternate which contender goes first and which of the two
 * LlamaChatModels runs. Per-run speeds vary by ±10% on a shared 2-core machine: the median of many pairs is the figure.
 */
export async function measureDecode(ctx: AnswerBenchContext): Promise<void> {
  const { rec, label, raw, knowledge, decode } = ctx;
  const generation = { ...ctx.generation, maxTokens: decode.maxTokens };
  const system = (await knowledge.firstTurn(knowledge.questions[0]!))[0]!;
  console.log(`\n[answer] ${label}, decode: LlamaChatModel vs raw LlamaChatSession, ${decode.pairs} pairs after a warm-up, ${decode.maxTokens} tokens each`);
  const pairs: Array<{ raw: SpeedSample; model: SpeedSample }> = [];
  for (let i = 0; i <= decode.pairs; i++) {
    const messages: ChatMessage[] = [system, { role: "user", content: knowledge.questions[i % knowledge.questions.length]! }];
    const model = contender(ctx, i);
    const timeModel = async () => {
      await flush(model);
      return timeChatStream(model.stream(messages, generation));
    };
    const rawFirst = i % 2 === 0;
    const rawSample = rawFirst ? await raw.run(messages, generation) : undefined;
    const modelSample = await timeModel();
    const pair = { raw: rawSample ?? (await raw.run(messages, generation)), model: modelSample };
    for (const [what, sample] of Object.entries(pair)) checkTokens(what, sample, generation.maxTokens);
    console.log(
      `    ${i === 0 ? "warm-up" : `pair ${i}`}: raw ${pair.raw.decodeTokensPerSecond.toFixed(1)} tok/s, LlamaChatModel #${model === ctx.chatModels[0] ? 1 : 2} ` +
        `${pair.model.decodeTokensPerSecond.toFixed(1)} tok/s (${rawFirst ? "raw" : "LlamaChatModel"} first)`,
    );
    if (i > 0) pairs.push(pair);
  }
  rec.record(`raw LlamaChatSession decode (${label})`, median(pairs.map((p) => p.raw.decodeTokensPerSecond)), "tok/s");
  rec.record(`LlamaChatModel decode (${label})`, median(pairs.map((p) => p.model.decodeTokensPerSecond)), "tok/s");
  rec.record(`LlamaChatModel / raw decode tok/s (${label})`, median(pairs.map((p) => p.model.decodeTokensPerSecond / p.raw.decodeTokensPerSecond)), "x", DECODE_TARGET);
}

/**
 * Time to first token, LlamaChatModel against a raw LlamaChatSession, on the bot's first-turn prompts (built from the
 * sample FAQ), and the time to first token of a second turn in the same conversation (a related question, prompted
 * as the bot prompts it). Runs alternate which contender goes first and which LlamaChatModel runs.
 */
export async function measureChatModelSpeed(ctx: AnswerBenchContext): Promise<void> {
  const { rec, label, raw, knowledge, generation, runs } = ctx;
  const question = (i: number) => knowledge.questions[i % knowledge.questions.length]!;
  console.log(`\n[answer] ${label}, time to first token: LlamaChatModel vs raw LlamaChatSession, ${runs} runs after a warm-up, ${generation.maxTokens} tokens each`);
  const samples: Array<{ raw: SpeedSample; first: SpeedSample; second: SpeedSample }> = [];
  for (let i = 0; i <= runs; i++) {
    const messages = await knowledge.firstTurn(question(i));
    const model = contender(ctx, i);
    const rawFirst = i % 2 === 0;
    let rawSample = rawFirst ? await raw.run(messages, generation) : undefined;
    await flush(model);
    const key = `model-${i}`;
    const first = await timeChatStream(model.stream(messages, { ...generation, conversationKey: key }));
    // A related question in the same conversation, prompted as the bot would: turn 1, its answer, new sources, the question.
    const followUp = await knowledge.secondTurn(question(i), first.text, knowledge.related(question(i)));
    const second = await timeChatStream(model.stream(followUp, { ...generation, conversationKey: key }));
    rawSample ??= await raw.run(messages, generation);
    for (const [what, s] of [["raw", rawSample], ["turn 1", first], ["turn 2", second]] as const) checkTokens(what, s, generation.maxTokens);
    if (rawSample.promptTokens !== first.promptTokens) console.log(`    note: raw prompt ${rawSample.promptTokens} tokens, LlamaChatModel's ${first.promptTokens}`);
    console.log(
      `    ${i === 0 ? "warm-up" : `run ${i}`}: raw ttft ${ms(rawSample.ttftMs)} (${rawSample.promptTokens} prompt tok), ${rawSample.decodeTokensPerSecond.toFixed(1)} tok/s | ` +
        `LlamaChatModel ttft ${ms(first.ttftMs)} (${first.promptTokensEvaluated}/${first.promptTokens} evaluated), ${first.decodeTokensPerSecond.toFixed(1)} tok/s | ` +
        `turn 2 ttft ${ms(second.ttftMs)} (${second.promptTokensEvaluated}/${second.promptTokens} evaluated)`,
    );
    if (i > 0) samples.push({ raw: rawSample, first, second });
  }

  const m = (pick: (s: (typeof samples)[number]) => number) => median(samples.map(pick));
  rec.record(`raw LlamaChatSession time to first token, ${Math.round(m((s) => s.raw.promptTokens))}-token prompt (${label})`, m((s) => s.raw.ttftMs), "ms");
  rec.record(`raw prompt evaluation speed (${label})`, m((s) => s.raw.promptTokens / (s.raw.ttftMs / 1000)), "tok/s");
  rec.record(`LlamaChatModel time to first token (${label})`, m((s) => s.first.ttftMs), "ms");
  rec.record(`LlamaChatModel / raw time to first token (${label})`, m((s) => s.first.ttftMs / s.raw.ttftMs), "x", TTFT_TARGET);
  rec.record(`LlamaChatModel 2nd-turn (related question) time to first token (${label})`, m((s) => s.second.ttftMs), "ms");
  rec.record(`2nd-turn / 1st-turn time to first token, ChatModel (${label})`, m((s) => s.second.ttftMs / s.first.ttftMs), "x", SECOND_TURN_TARGET);
}


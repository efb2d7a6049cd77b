import { LlamaChatModel } from "../../src/model/LlamaChatModel.js";
import { timeChatStream, type SpeedSample } from "../lib/timeChatStream.js";
import { checkTokens, flush, median, ms, type AnswerBenchContext } from "./AnswerBenchContext.js";

const DECODE_TARGET = { op: ">=", value: 0.97 } as const;
const TTFT_TARGET = { op: "<=", value: 1.05 } as const;
const SECOND_TURN_TARGET = { op: "<=", value: 0.5 } as const;

/**
 * LlamaChatModel against a raw LlamaChatSession on the same prompts (the bot's first-turn prompts, built from the
 * sample FAQ): decode speed, time to first token, and the time to first token of a second turn in the same
 * conversation (a related question, prompted as the bot prompts it).
 * Runs alternate which contender goes first, so drift in the machine's speed hits both alike.
 */
export async function measureChatModelSpeed(ctx: AnswerBenchContext): Promise<void> {
  const { rec, label, chatModel, raw, knowledge, generation, runs } = ctx;
  const question = (i: number) => knowledge.questions[i % knowledge.questions.length]!;
  console.log(`\n[answer] ${label}, ChatModel level: LlamaChatModel vs raw LlamaChatSession, ${runs} runs after a warm-up, ${generation.maxTokens} tokens each`);
  const samples: Array<{ raw: SpeedSample; first: SpeedSample; second: SpeedSample }> = [];
  for (let i = 0; i <= runs; i++) {
    const messages = await knowledge.firstTurn(question(i));
    const rawFirst = i % 2 === 0;
    let rawSample = rawFirst ? await raw.run(messages, generation) : undefined;
    await flush(chatModel);
    const key = `model-${i}`;
    const first = await timeChatStream(chatModel.stream(messages, { ...generation, conversationKey: key }));
    // A related question in the same conversation, prompted as the bot would: turn 1, its answer, new sources, the question.
    const followUp = await knowledge.secondTurn(question(i), first.text, knowledge.related(question(i)));
    const second = await timeChatStream(chatModel.stream(followUp, { ...generation, conversationKey: key }));
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
  rec.record(`raw LlamaChatSession decode (${label})`, m((s) => s.raw.decodeTokensPerSecond), "tok/s");
  rec.record(`LlamaChatModel decode (${label})`, m((s) => s.first.decodeTokensPerSecond), "tok/s");
  rec.record(`LlamaChatModel / raw decode tok/s (${label})`, m((s) => s.first.decodeTokensPerSecond / s.raw.decodeTokensPerSecond), "x", DECODE_TARGET);
  rec.record(`raw LlamaChatSession time to first token, ${Math.round(m((s) => s.raw.promptTokens))}-token prompt (${label})`, m((s) => s.raw.ttftMs), "ms");
  rec.record(`raw prompt evaluation speed (${label})`, m((s) => s.raw.promptTokens / (s.raw.ttftMs / 1000)), "tok/s");
  rec.record(`LlamaChatModel time to first token (${label})`, m((s) => s.first.ttftMs), "ms");
  rec.record(`LlamaChatModel / raw time to first token (${label})`, m((s) => s.first.ttftMs / s.raw.ttftMs), "x", TTFT_TARGET);
  rec.record(`LlamaChatModel 2nd-turn (related question) time to first token (${label})`, m((s) => s.second.ttftMs), "ms");
  rec.record(`2nd-turn / 1st-turn time to first token, ChatModel (${label})`, m((s) => s.second.ttftMs / s.first.ttftMs), "x", SECOND_TURN_TARGET);
}

/**
 * Aggregate tokens/s of 4 conversations at once against one at a time: with `sequences: 4` (parallel sequences,
 * batched decoding) and with the default single sequence (requests queue). Prompts: 4 bot first-turn prompts.
 */
export async function measureConcurrency(ctx: AnswerBenchContext): Promise<void> {
  const { rec, label, chatModel, knowledge, generation } = ctx;
  const count = 4;
  const prompts = await Promise.all(Array.from({ length: count }, (_, i) => knowledge.firstTurn(knowledge.questions[(i + 7) % knowledge.questions.length]!)));
  console.log(`\n[answer] ${label}: ${count} conversations at once vs one at a time (${generation.maxTokens} tokens each, cold prompts of ~${prompts[0]!.map((m) => m.content).join("").length} chars)`);

  // One at a time, each from a cold sequence.
  let tokens = 0;
  let busyMs = 0;
  for (const [i, messages] of prompts.entries()) {
    await flush(chatModel);
    const s = await timeChatStream(chatModel.stream(messages, { ...generation, conversationKey: `alone-${i}` }));
    tokens += s.tokens;
    busyMs += s.totalMs;
  }
  const alone = tokens / (busyMs / 1000);
  rec.record(`aggregate tok/s, 1 conversation at a time (${label})`, alone, "tok/s");

  const together = async (model: LlamaChatModel, name: string) => {
    const startedAt = performance.now();
    const samples = await Promise.all(prompts.map((messages, i) => timeChatStream(model.stream(messages, { ...generation, conversationKey: `${name}-${i}` }), startedAt)));
    const wallMs = performance.now() - startedAt;
    const evaluated = samples.reduce((n, s) => n + s.promptTokensEvaluated, 0);
    console.log(`    ${name}: wall ${ms(wallMs)}, mean time to first token ${ms(samples.reduce((n, s) => n + s.ttftMs, 0) / count)}, prompt tokens evaluated ${evaluated}`);
    return samples.reduce((n, s) => n + s.tokens, 0) / (wallMs / 1000);
  };

  await flush(chatModel);
  const queued = await together(chatModel, "1 sequence, queued");
  rec.record(`aggregate tok/s, ${count} at once on 1 sequence (queued) (${label})`, queued, "tok/s");
  rec.record(`${count} at once (queued) / 1 at a time, aggregate tok/s (${label})`, queued / alone, "x");

  const parallel = await LlamaChatModel.create({ modelPath: ctx.modelPath, llama: ctx.llama, contextSize: ctx.contextSize, sequences: count });
  try {
    await flush(parallel); // the new context's first evaluation, not timed
    const batched = await together(parallel, `${count} sequences`);
    rec.record(`aggregate tok/s, ${count} at once on ${count} sequences (${label})`, batched, "tok/s");
    rec.record(`${count} at once (${count} sequences) / 1 at a time, aggregate tok/s (${label})`, batched / alone, "x");
  } finally {
    await parallel.dispose();
  }
}

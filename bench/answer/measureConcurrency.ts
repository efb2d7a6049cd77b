import type { ChatMessage } from "../../src/model/ChatModel.js";
import { LlamaChatModel } from "../../src/model/LlamaChatModel.js";
import { timeChatStream } from "../lib/timeChatStream.js";
import { flush, ms, type AnswerBenchContext } from "./AnswerBenchContext.js";

const COUNT = 4;

/** What one way of serving the 4 conversations achieved. */
interface Throughput {
  /** Tokens generated over the wall time, prompt evaluation included: what a busy bot delivers. */
  aggregate: number;
  /** Tokens decoded (after each first token) per second during which any conversation was decoding. */
  decode: number;
}

/**
 * Aggregate tokens/s of 4 conversations at once against one at a time (each from a cold sequence): with
 * `sequences: 4` (parallel sequences, batched evaluation) and with one sequence (requests queue, as by default).
 * Prompts: 4 bot first-turn prompts. Prompt evaluation is compute-bound and does not gain from batching; decoding does.
 */
export async function measureConcurrency(ctx: AnswerBenchContext): Promise<void> {
  const { rec, label, knowledge, generation } = ctx;
  const [model] = ctx.chatModels;
  const prompts = await Promise.all(Array.from({ length: COUNT }, (_, i) => knowledge.firstTurn(knowledge.questions[(i + 7) % knowledge.questions.length]!)));
  console.log(`\n[answer] ${label}: ${COUNT} conversations at once vs one at a time, ${generation.maxTokens} tokens each`);

  const alone = await serve(model, prompts, ctx, "1 at a time", { oneByOne: true });
  const queued = await serve(model, prompts, ctx, "at once, 1 sequence (queued)");
  const parallel = await LlamaChatModel.create({ modelPath: ctx.modelPath, llama: ctx.llama, contextSize: ctx.contextSize, sequences: COUNT });
  let batched: Throughput;
  try {
    await flush(parallel); // the new context's first evaluation, not timed
    batched = await serve(parallel, prompts, ctx, `at once, ${COUNT} sequences`);
  } finally {
    await parallel.dispose();
  }
  rec.record(`aggregate tok/s, 1 conversation at a time (${label})`, alone.aggregate, "tok/s");
  rec.record(`aggregate tok/s, ${COUNT} at once on 1 sequence, queued (${label})`, queued.aggregate, "tok/s");
  rec.record(`aggregate tok/s, ${COUNT} at once on ${COUNT} sequences (${label})`, batched.aggregate, "tok/s");
  rec.record(`${COUNT} at once on ${COUNT} sequences / 1 at a time, aggregate tok/s (${label})`, batched.aggregate / alone.aggregate, "x");
  rec.record(`decode-phase tok/s, 1 at a time (${label})`, alone.decode, "tok/s");
  rec.record(`decode-phase tok/s, ${COUNT} at once on ${COUNT} sequences (${label})`, batched.decode, "tok/s");
  rec.record(`${COUNT} sequences / 1 at a time, decode-phase tok/s (${label})`, batched.decode / alone.decode, "x");
}

/** Runs every prompt as its own conversation, all at once (or one after another), from a flushed model. */
async function serve(model: LlamaChatModel, prompts: ChatMessage[][], ctx: AnswerBenchContext, name: string, options: { oneByOne?: boolean } = {}): Promise<Throughput> {
  await flush(model);
  const startedAt = performance.now();
  const run = async (messages: ChatMessage[], i: number) => {
    if (options.oneByOne) await flush(model); // cold, like each of the conversations at once
    const start = performance.now();
    const s = await timeChatStream(model.stream(messages, { ...ctx.generation, conversationKey: `${name}-${i}` }), start);
    return { ...s, decodeFrom: start + s.ttftMs, decodeTo: start + s.totalMs };
  };
  const samples: Array<Awaited<ReturnType<typeof run>>> = [];
  if (options.oneByOne) for (const [i, messages] of prompts.entries()) samples.push(await run(messages, i));
  else samples.push(...(await Promise.all(prompts.map(run))));
  const wallMs = options.oneByOne ? samples.reduce((n, s) => n + s.totalMs, 0) : performance.now() - startedAt;
  const decodingMs = unionLength(samples.map((s) => [s.decodeFrom, s.decodeTo] as const));
  const sum = (pick: (s: (typeof samples)[number]) => number) => samples.reduce((n, s) => n + pick(s), 0);
  console.log(
    `    ${name}: ${ms(wallMs)} busy, mean time to first token ${ms(sum((s) => s.ttftMs) / samples.length)}, ` +
      `prompt tokens evaluated ${sum((s) => s.promptTokensEvaluated)}, decoding ${ms(decodingMs)}`,
  );
  return { aggregate: sum((s) => s.tokens) / (wallMs / 1000), decode: sum((s) => s.tokens - 1) / (decodingMs / 1000) };
}

/** Total length of the union of intervals. */
function unionLength(intervals: ReadonlyArray<readonly [number, number]>): number {
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

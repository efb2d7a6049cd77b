import { loadavg } from "node:os";
import { getLlama } from "node-llama-cpp";
import { LlamaChatModel } from "../src/model/LlamaChatModel.js";
import { measureBotSpeed } from "./answer/measureBotSpeed.js";
import { measureChatModelSpeed, measureDecode } from "./answer/measureChatModelSpeed.js";
import { measureConcurrency } from "./answer/measureConcurrency.js";
import type { AnswerBenchShape, BenchOptions } from "./lib/BenchOptions.js";
import { benchModelPath } from "./lib/benchModelPath.js";
import { RawChatSession } from "./lib/RawChatSession.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { sampleKnowledge } from "./lib/sampleKnowledge.js";

/**
 * Per shape: measured runs and tokens per answer, and decode pairs and their tokens, sized so a full run of both
 * shapes takes well under an hour on 2 cores.
 */
const SETTINGS: Record<AnswerBenchShape, { label: string; runs: number; maxTokens: number; decode: { pairs: number; maxTokens: number } }> = {
  tinyllama: { label: "TinyLlama-1.1B-shaped Q4_0", runs: 5, maxTokens: 64, decode: { pairs: 10, maxTokens: 128 } },
  "llama2-7b": { label: "Llama-2-7B-shaped Q4_0", runs: 3, maxTokens: 48, decode: { pairs: 6, maxTokens: 96 } },
};
const QUICK = { runs: 2, maxTokens: 32, decode: { pairs: 4, maxTokens: 64 } };
/** Room for the bot's prompts (~700 tokens with 4 sources), a second turn and the answers. */
const CONTEXT_SIZE = 2048;

/**
 * Answer speed on random-weight models of real shapes (speed does not depend on the weights): our LlamaChatModel
 * and the whole bot against node-llama-cpp's own LlamaChatSession in the same process, with the same model file,
 * threads, prompt and sampling, EOS ignored so every answer is exactly maxTokens long.
 */
export async function benchAnswerSpeed(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("answer");
  const shapes = options.answerShapes ?? (options.quick ? ["tinyllama"] : ["tinyllama", "llama2-7b"]);
  const knowledge = await sampleKnowledge(await options.embedder());
  console.log(`\n[answer] sample FAQ indexed; ${knowledge.questions.length} answerable standalone questions`);
  const llama = await getLlama({ gpu: "auto", build: "never", skipDownload: true });
  console.log(`    llama.cpp ${llama.gpu === false ? "CPU" : llama.gpu} build, ${llama.cpuMathCores} threads (llama.cpuMathCores), load average ${loadAverage()}`);
  try {
    for (const shape of shapes) {
      const settings = { ...SETTINGS[shape], ...(options.quick ? QUICK : {}) };
      const modelPath = await benchModelPath(shape, "Q4_0");
      const create = () => LlamaChatModel.create({ modelPath, llama, contextSize: CONTEXT_SIZE });
      const before = await create();
      const raw = await RawChatSession.create({ llama, modelPath, contextSize: CONTEXT_SIZE, chatWrapper: before.chatWrapper });
      const after = await create();
      const ctx = {
        rec,
        llama,
        label: settings.label,
        modelPath,
        contextSize: CONTEXT_SIZE,
        chatModels: [before, after] as const,
        raw,
        knowledge,
        runs: settings.runs,
        generation: { maxTokens: settings.maxTokens, temperature: 0.2, topP: 0.9, ignoreEos: true },
        decode: settings.decode,
      };
      try {
        await measureDecode(ctx);
        await measureChatModelSpeed(ctx);
        await measureBotSpeed(ctx);
        await measureConcurrency(ctx);
      } finally {
        await raw.dispose();
        await before.dispose();
        await after.dispose();
      }
      console.log(`    (load average ${loadAverage()})`);
    }
  } finally {
    await llama.dispose();
  }
  return rec.rows;
}

/** The 1, 5 and 15-minute load averages: other work on the machine slows both contenders alike, but adds noise. */
function loadAverage(): string {
  return loadavg().map((x) => x.toFixed(2)).join(" ");
}

/**
 * Writes a random-weight Llama 2-architecture GGUF of a real shape, with the real Llama 2 tokenizer and chat
 * template: llama.cpp runs it exactly as fast as the real model, so benchmarks need no model download.
 *
 *   node dist/bench/generateModel.js --shape tinyllama --quant q4_0 --out /tmp/tinyllama-q4_0.gguf
 *
 * --shape tiny|tinyllama|llama2-7b (default tinyllama), --quant f32|f16|q4_0 (default q4_0),
 * --out PATH (required), --seed N (default 1), --blocks N (override the block count, e.g. for a quick try).
 */
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { LlamadeskError } from "../src/errors.js";
import { LLAMA_GGUF_SHAPES, writeLlamaGguf, type LlamaGgufFileType, type LlamaGgufShape } from "../src/testing/writeLlamaGguf.js";

const QUANTS: Record<string, LlamaGgufFileType> = { f32: "F32", f16: "F16", q4_0: "Q4_0" };

const { values } = parseArgs({
  options: {
    shape: { type: "string", default: "tinyllama" },
    quant: { type: "string", default: "q4_0" },
    out: { type: "string" },
    seed: { type: "string", default: "1" },
    blocks: { type: "string" },
  },
});
const fail = (message: string): never => {
  console.error(`generateModel: ${message}`);
  process.exit(2);
};
const shape = values.shape as LlamaGgufShape;
if (!Object.hasOwn(LLAMA_GGUF_SHAPES, shape)) fail(`--shape must be one of ${Object.keys(LLAMA_GGUF_SHAPES).join(", ")}, got ${values.shape}`);
const fileType = QUANTS[values.quant.toLowerCase()] ?? fail(`--quant must be one of ${Object.keys(QUANTS).join(", ")}, got ${values.quant}`);
const out = values.out ?? fail("--out PATH is required: where to write the .gguf file");

const start = performance.now();
const file = await writeLlamaGguf({
  path: out,
  shape,
  fileType,
  seed: Number(values.seed),
  ...(values.blocks === undefined ? {} : { blockCount: Number(values.blocks) }),
}).catch((error: unknown) => fail(error instanceof LlamadeskError ? `[${error.code}] ${error.message}` : String(error)));
const { size } = await stat(file);
console.log(`${file}: ${shape}-shaped ${fileType}, ${(size / 1e9).toFixed(2)} GB, written in ${((performance.now() - start) / 1000).toFixed(1)} s`);

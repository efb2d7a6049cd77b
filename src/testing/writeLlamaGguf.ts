import { mkdir, open, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LlamadeskError } from "../errors.js";
import { ensureVocabGguf } from "./ensureVocabGguf.js";
import { ALIGNMENT, GGML_F16, GGML_F32, GGML_Q4_0, T, alignUp, byteSize, encodeHeader, type Kv } from "./gguf/ggufEncoding.js";
import { readTokenizerKvs } from "./gguf/readTokenizerKvs.js";
import { tensorSeed, writeTensorData, type Q4_0Weights, type TensorPlan } from "./gguf/writeTensorData.js";

export type { Q4_0Weights, TensorPlan };

/** The chat template of meta-llama/Llama-2-7b-chat-hf, verbatim; node-llama-cpp maps it to `Llama2ChatWrapper`. */
export const LLAMA2_CHAT_TEMPLATE =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

/**
 * Named model shapes: `tiny` for tests (a few MB), and the hyperparameters of TinyLlama-1.1B and Llama-2-7B,
 * for benchmarks: with the real sizes, llama.cpp runs them exactly as fast as the real models.
 */
export const LLAMA_GGUF_SHAPES = {
  tiny: { name: "llamadesk tiny llama (random weights)", embeddingLength: 64, blockCount: 2, headCount: 4, headCountKv: 4, feedForwardLength: 128, contextLength: 512 },
  tinyllama: { name: "llamadesk TinyLlama-1.1B shape (random weights)", embeddingLength: 2048, blockCount: 22, headCount: 32, headCountKv: 4, feedForwardLength: 5632, contextLength: 2048 },
  "llama2-7b": { name: "llamadesk Llama-2-7B shape (random weights)", embeddingLength: 4096, blockCount: 32, headCount: 32, headCountKv: 32, feedForwardLength: 11008, contextLength: 4096 },
} as const;

export type LlamaGgufShape = keyof typeof LLAMA_GGUF_SHAPES;
export type LlamaGgufFileType = "F32" | "F16" | "Q4_0";

export interface LlamaGgufOptions {
  /** Where to write the file; parent folders are created. */
  path: string;
  /** Hyperparameters to start from; the options below override single ones. Defaults to `"tiny"`. */
  shape?: LlamaGgufShape;
  /** Seeds the pseudo-random weights: the same options give byte-identical files. Defaults to `1`. */
  seed?: number;
  /** Width of the hidden state. Defaults to the shape's (tiny: `64`). */
  embeddingLength?: number;
  /** Number of transformer blocks. Defaults to the shape's (tiny: `2`). */
  blockCount?: number;
  /** Attention heads; must divide `embeddingLength`. Defaults to the shape's (tiny: `4`). */
  headCount?: number;
  /** Key/value heads (grouped-query attention); must divide `headCount`. Defaults to `headCount` when that is set, else to the shape's. */
  headCountKv?: number;
  /** Width of the feed-forward layer. Defaults to the shape's (tiny: `128`). */
  feedForwardLength?: number;
  /** Context length the model claims it was trained on. Defaults to the shape's (tiny: `512`). */
  contextLength?: number;
  /**
   * Type of the 2-D weight tensors; norm weights stay F32, as llama.cpp's quantiser leaves them.
   * `Q4_0` needs `embeddingLength` and `feedForwardLength` to be multiples of 32. Defaults to `"F32"`.
   */
  fileType?: LlamaGgufFileType;
  /**
   * How Q4_0 weights are made: `"quantized"` (quantise random floats) or `"random"` (random Q4_0 blocks, for
   * multi-gigabyte benchmark models). Defaults to `"quantized"` for the tiny shape, `"random"` for the others.
   */
  q4_0Weights?: Q4_0Weights;
  /** A vocab-only Llama GGUF whose `tokenizer.ggml.*` keys are copied. Defaults to `ensureVocabGguf()`. */
  vocabGgufPath?: string;
}

/** What a file written with the same options holds, computed without writing it. */
export interface LlamaGgufPlan {
  /** Every metadata key/value, in file order. */
  kvs: Kv[];
  /** Every tensor, in file order; offsets are relative to the tensor data section. */
  tensors: TensorPlan[];
  /** Bytes of the whole file. */
  fileSize: number;
}

/** ggml tensor types and llama.cpp `general.file_type` values for each supported file type. */
const FILE_TYPES = {
  F32: { ggmlType: GGML_F32, generalFileType: 0 },
  F16: { ggmlType: GGML_F16, generalFileType: 1 },
  Q4_0: { ggmlType: GGML_Q4_0, generalFileType: 2 },
} as const;

/**
 * Writes a Llama 2-architecture GGUF v3 file with deterministic random weights and the real Llama 2
 * tokenizer and chat template, streaming tensor data so 7B-shaped files need no large buffers.
 * Returns the path written. Its output is gibberish: use it to test structure and measure speed.
 */
export async function writeLlamaGguf(options: LlamaGgufOptions): Promise<string> {
  const o = resolveOptions(options);
  const { kvs, tensors } = await plan(o, options.vocabGgufPath);
  const header = encodeHeader(kvs, tensors);

  await mkdir(path.dirname(path.resolve(o.path)), { recursive: true });
  const tempPath = `${o.path}.${process.pid}.partial`;
  const handle = await open(tempPath, "w");
  try {
    await handle.write(header);
    let written = 0;
    for (const tensor of tensors) {
      await handle.write(Buffer.alloc(tensor.offset - written));
      await writeTensorData(handle, tensor, tensorSeed(o.seed, tensor.name), o.q4_0Weights);
      written = tensor.offset + tensor.bytes;
    }
    await handle.write(Buffer.alloc(alignUp(written) - written));
  } catch (error) {
    await handle.close();
    await rm(tempPath, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tempPath, o.path);
  return o.path;
}

/** The metadata, tensor list and size of the file `writeLlamaGguf` would write with these options, without writing it. */
export async function planLlamaGguf(options: LlamaGgufOptions): Promise<LlamaGgufPlan> {
  const { kvs, tensors } = await plan(resolveOptions(options), options.vocabGgufPath);
  const last = tensors[tensors.length - 1]!;
  return { kvs, tensors, fileSize: encodeHeader(kvs, tensors).length + alignUp(last.offset + last.bytes) };
}

type Resolved = ReturnType<typeof resolveOptions>;

async function plan(o: Resolved, vocabGgufPath: string | undefined): Promise<{ kvs: Kv[]; tensors: TensorPlan[] }> {
  const tokenizerKvs = await readTokenizerKvs(vocabGgufPath ?? (await ensureVocabGguf()));
  const vocabSize = (tokenizerKvs.find((kv) => kv.key === "tokenizer.ggml.tokens")?.value as unknown[]).length;
  const fileType = FILE_TYPES[o.fileType];
  const kvs: Kv[] = [
    { key: "general.architecture", type: T.STRING, value: "llama" },
    { key: "general.name", type: T.STRING, value: LLAMA_GGUF_SHAPES[o.shape].name },
    { key: "general.file_type", type: T.U32, value: fileType.generalFileType },
    { key: "general.quantization_version", type: T.U32, value: 2 },
    { key: "general.alignment", type: T.U32, value: ALIGNMENT },
    { key: "llama.vocab_size", type: T.U32, value: vocabSize },
    { key: "llama.context_length", type: T.U32, value: o.contextLength },
    { key: "llama.embedding_length", type: T.U32, value: o.embeddingLength },
    { key: "llama.block_count", type: T.U32, value: o.blockCount },
    { key: "llama.feed_forward_length", type: T.U32, value: o.feedForwardLength },
    { key: "llama.rope.dimension_count", type: T.U32, value: o.embeddingLength / o.headCount },
    { key: "llama.rope.freq_base", type: T.F32, value: 10000 },
    { key: "llama.attention.head_count", type: T.U32, value: o.headCount },
    { key: "llama.attention.head_count_kv", type: T.U32, value: o.headCountKv },
    { key: "llama.attention.layer_norm_rms_epsilon", type: T.F32, value: 1e-5 },
    ...tokenizerKvs,
    { key: "tokenizer.chat_template", type: T.STRING, value: LLAMA2_CHAT_TEMPLATE },
  ];
  return { kvs, tensors: planTensors(o, vocabSize, fileType.ggmlType) };
}

function resolveOptions(options: LlamaGgufOptions) {
  const shapeName = options.shape ?? "tiny";
  if (!Object.hasOwn(LLAMA_GGUF_SHAPES, shapeName)) invalid("shape", `must be one of ${Object.keys(LLAMA_GGUF_SHAPES).join(", ")}, got ${JSON.stringify(shapeName)}`);
  const shape = LLAMA_GGUF_SHAPES[shapeName];
  const headCount = options.headCount ?? shape.headCount;
  const o = {
    path: options.path,
    shape: shapeName,
    seed: options.seed ?? 1,
    embeddingLength: options.embeddingLength ?? shape.embeddingLength,
    blockCount: options.blockCount ?? shape.blockCount,
    headCount,
    headCountKv: options.headCountKv ?? (options.headCount === undefined ? shape.headCountKv : headCount),
    feedForwardLength: options.feedForwardLength ?? shape.feedForwardLength,
    contextLength: options.contextLength ?? shape.contextLength,
    fileType: options.fileType ?? "F32",
    q4_0Weights: options.q4_0Weights ?? (shapeName === "tiny" ? "quantized" : "random"),
  };
  const positive = ["embeddingLength", "blockCount", "headCount", "headCountKv", "feedForwardLength", "contextLength"] as const;
  for (const field of positive) {
    if (!Number.isInteger(o[field]) || o[field] < 1) invalid(field, `must be a positive integer, got ${o[field]}`);
  }
  if (!Number.isInteger(o.seed)) invalid("seed", `must be an integer, got ${o.seed}`);
  if (!Object.hasOwn(FILE_TYPES, o.fileType)) invalid("fileType", `must be "F32", "F16" or "Q4_0", got ${JSON.stringify(o.fileType)}`);
  if (o.q4_0Weights !== "quantized" && o.q4_0Weights !== "random") invalid("q4_0Weights", `must be "quantized" or "random", got ${JSON.stringify(o.q4_0Weights)}`);
  if (o.embeddingLength % o.headCount !== 0) invalid("headCount", `(${o.headCount}) must divide embeddingLength (${o.embeddingLength})`);
  if ((o.embeddingLength / o.headCount) % 2 !== 0) invalid("headCount", "must leave an even head size for RoPE");
  if (o.headCount % o.headCountKv !== 0) invalid("headCountKv", `(${o.headCountKv}) must divide headCount (${o.headCount})`);
  if (os.endianness() !== "LE") invalid("path", "cannot be written on a big-endian machine (GGUF tensor data is little-endian)");
  if (o.fileType === "Q4_0") {
    for (const field of ["embeddingLength", "feedForwardLength"] as const) {
      if (o[field] % 32 !== 0) invalid(field, `must be a multiple of 32 for Q4_0, got ${o[field]}`);
    }
  }
  return o;
}

function invalid(field: string, problem: string): never {
  throw new LlamadeskError("INVALID_OPTION", `writeLlamaGguf: ${field} ${problem}.`);
}

function planTensors(o: Resolved, vocabSize: number, weightType: number): TensorPlan[] {
  const e = o.embeddingLength;
  const kvDim = (e / o.headCount) * o.headCountKv;
  const specs: Array<[string, number[]]> = [["token_embd.weight", [e, vocabSize]]];
  for (let i = 0; i < o.blockCount; i++) {
    specs.push(
      [`blk.${i}.attn_norm.weight`, [e]],
      [`blk.${i}.attn_q.weight`, [e, e]],
      [`blk.${i}.attn_k.weight`, [e, kvDim]],
      [`blk.${i}.attn_v.weight`, [e, kvDim]],
      [`blk.${i}.attn_output.weight`, [e, e]],
      [`blk.${i}.ffn_norm.weight`, [e]],
      [`blk.${i}.ffn_gate.weight`, [e, o.feedForwardLength]],
      [`blk.${i}.ffn_down.weight`, [o.feedForwardLength, e]],
      [`blk.${i}.ffn_up.weight`, [e, o.feedForwardLength]],
    );
  }
  specs.push(["output_norm.weight", [e]], ["output.weight", [e, vocabSize]]);

  let offset = 0;
  return specs.map(([name, dims]) => {
    const isNorm = dims.length === 1;
    const ggmlType = isNorm ? GGML_F32 : weightType;
    const bytes = byteSize(ggmlType, dims.reduce((a, b) => a * b, 1));
    const tensor = { name, dims, ggmlType, ones: isNorm, offset, bytes };
    offset = alignUp(offset + bytes);
    return tensor;
  });
}

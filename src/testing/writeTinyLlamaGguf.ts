import { existsSync } from "node:fs";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LlamadeskError } from "../errors.js";
import { ensureVocabGguf } from "./ensureVocabGguf.js";
import {
  ALIGNMENT,
  GGML_F16,
  GGML_F32,
  GGML_Q4_0,
  T,
  alignUp,
  byteSize,
  encodeHeader,
  type GgufTensorInfo,
  type Kv,
  type ScalarType,
} from "./gguf/ggufEncoding.js";
import { quantizeQ4_0, toHalf } from "./gguf/quantizeQ4_0.js";

// Re-exported so existing imports of ensureVocabGguf from this module keep working.
export { ensureVocabGguf };

export interface TinyLlamaGgufOptions {
  /** Where to write the file; parent folders are created. */
  path: string;
  /** Seeds the pseudo-random weights: the same options give byte-identical files. Defaults to `1`. */
  seed?: number;
  /** Width of the hidden state. Defaults to `64`. */
  embeddingLength?: number;
  /** Number of transformer blocks. Defaults to `2`. */
  blockCount?: number;
  /** Attention heads; must divide `embeddingLength`. Defaults to `4`. */
  headCount?: number;
  /** Key/value heads (grouped-query attention); must divide `headCount`. Defaults to `headCount`. */
  headCountKv?: number;
  /** Width of the feed-forward layer. Defaults to `128`. */
  feedForwardLength?: number;
  /** Context length the model claims it was trained on. Defaults to `512`. */
  contextLength?: number;
  /**
   * Type of the 2-D weight tensors; norm weights stay F32, as llama.cpp's quantiser leaves them.
   * `Q4_0` needs `embeddingLength` and `feedForwardLength` to be multiples of 32. Defaults to `"F32"`.
   */
  fileType?: "F32" | "F16" | "Q4_0";
  /** A vocab-only Llama GGUF whose `tokenizer.ggml.*` keys are copied. Defaults to `ensureVocabGguf()`. */
  vocabGgufPath?: string;
}

/** The chat template of meta-llama/Llama-2-7b-chat-hf, verbatim; node-llama-cpp maps it to `Llama2ChatWrapper`. */
export const LLAMA2_CHAT_TEMPLATE =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

/** Uniform weights with a standard deviation of 0.02, the usual initialisation scale. */
const WEIGHT_AMPLITUDE = 0.02 * Math.sqrt(3);
/** Elements generated per write; a multiple of the Q4_0 block size. */
const CHUNK = 1 << 20;

/** ggml tensor types and llama.cpp `general.file_type` values for each supported file type. */
const FILE_TYPES = {
  F32: { ggmlType: GGML_F32, generalFileType: 0 },
  F16: { ggmlType: GGML_F16, generalFileType: 1 },
  Q4_0: { ggmlType: GGML_Q4_0, generalFileType: 2 },
} as const;

interface TensorPlan extends GgufTensorInfo {
  /** Norm weights are all ones. */
  ones: boolean;
  bytes: number;
}

/**
 * Writes a Llama 2-architecture GGUF v3 file with deterministic random weights and the real Llama 2
 * tokenizer and chat template, streaming tensor data so 7B-shaped files need no large buffers.
 * Returns the path written. Its output is gibberish: use it to test structure and measure speed.
 */
export async function writeTinyLlamaGguf(options: TinyLlamaGgufOptions): Promise<string> {
  const o = resolveOptions(options);
  const vocabPath = options.vocabGgufPath ?? (await ensureVocabGguf());
  const tokenizerKvs = await readTokenizerKvs(vocabPath);
  const vocabSize = (tokenizerKvs.find((kv) => kv.key === "tokenizer.ggml.tokens")?.value as unknown[]).length;

  const headDim = o.embeddingLength / o.headCount;
  const fileType = FILE_TYPES[o.fileType];
  const kvs: Kv[] = [
    { key: "general.architecture", type: T.STRING, value: "llama" },
    { key: "general.name", type: T.STRING, value: "llamadesk tiny llama (random weights)" },
    { key: "general.file_type", type: T.U32, value: fileType.generalFileType },
    { key: "general.quantization_version", type: T.U32, value: 2 },
    { key: "general.alignment", type: T.U32, value: ALIGNMENT },
    { key: "llama.vocab_size", type: T.U32, value: vocabSize },
    { key: "llama.context_length", type: T.U32, value: o.contextLength },
    { key: "llama.embedding_length", type: T.U32, value: o.embeddingLength },
    { key: "llama.block_count", type: T.U32, value: o.blockCount },
    { key: "llama.feed_forward_length", type: T.U32, value: o.feedForwardLength },
    { key: "llama.rope.dimension_count", type: T.U32, value: headDim },
    { key: "llama.rope.freq_base", type: T.F32, value: 10000 },
    { key: "llama.attention.head_count", type: T.U32, value: o.headCount },
    { key: "llama.attention.head_count_kv", type: T.U32, value: o.headCountKv },
    { key: "llama.attention.layer_norm_rms_epsilon", type: T.F32, value: 1e-5 },
    ...tokenizerKvs,
    { key: "tokenizer.chat_template", type: T.STRING, value: LLAMA2_CHAT_TEMPLATE },
  ];

  const tensors = planTensors(o, vocabSize, fileType.ggmlType);
  const header = encodeHeader(kvs, tensors);

  await mkdir(path.dirname(path.resolve(o.path)), { recursive: true });
  const tempPath = `${o.path}.${process.pid}.partial`;
  const handle = await open(tempPath, "w");
  try {
    await handle.write(header);
    let written = 0;
    for (const tensor of tensors) {
      await handle.write(Buffer.alloc(tensor.offset - written));
      await writeTensorData(handle, tensor, tensorSeed(o.seed, tensor.name));
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

function resolveOptions(options: TinyLlamaGgufOptions) {
  const headCount = options.headCount ?? 4;
  const o = {
    path: options.path,
    seed: options.seed ?? 1,
    embeddingLength: options.embeddingLength ?? 64,
    blockCount: options.blockCount ?? 2,
    headCount,
    headCountKv: options.headCountKv ?? headCount,
    feedForwardLength: options.feedForwardLength ?? 128,
    contextLength: options.contextLength ?? 512,
    fileType: options.fileType ?? "F32",
  };
  const positive = ["embeddingLength", "blockCount", "headCount", "headCountKv", "feedForwardLength", "contextLength"] as const;
  for (const field of positive) {
    if (!Number.isInteger(o[field]) || o[field] < 1) invalid(field, `must be a positive integer, got ${o[field]}`);
  }
  if (!Number.isInteger(o.seed)) invalid("seed", `must be an integer, got ${o.seed}`);
  if (!(o.fileType in FILE_TYPES)) invalid("fileType", `must be "F32", "F16" or "Q4_0", got ${JSON.stringify(o.fileType)}`);
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
  throw new LlamadeskError("INVALID_OPTION", `writeTinyLlamaGguf: ${field} ${problem}.`);
}

/**
 * Reads every `tokenizer.ggml.*` key of the vocab file with node-llama-cpp's reader. It returns plain
 * JS values, so the GGUF types are restored the way llama.cpp's converter writes them (llama.cpp
 * checks them strictly): ids u32, flags bool, scores f32 array, token types i32 array.
 */
async function readTokenizerKvs(vocabPath: string): Promise<Kv[]> {
  if (!existsSync(vocabPath)) {
    throw new LlamadeskError("MODEL_NOT_FOUND", `Vocab GGUF ${vocabPath} does not exist; omit vocabGgufPath to use the bundled Llama 2 tokenizer.`);
  }
  // Imported here so that `llamadesk/testing` users who never write a GGUF don't load node-llama-cpp.
  const { readGgufFileInfo } = await import("node-llama-cpp");
  const info = await readGgufFileInfo(vocabPath, { readTensorInfo: false, logWarnings: false });
  const ggml = (info.metadata as { tokenizer?: { ggml?: Record<string, unknown> } }).tokenizer?.ggml;
  if (!Array.isArray(ggml?.tokens)) {
    throw new LlamadeskError("MODEL_NOT_FOUND", `${vocabPath} has no tokenizer.ggml.tokens; pass a vocab GGUF such as llama.cpp's models/ggml-vocab-llama-spm.gguf.`);
  }
  const kvs: Kv[] = [];
  const visit = (prefix: string, object: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(object)) {
      const key = `${prefix}.${name}`;
      if (Array.isArray(value)) kvs.push({ key, type: T.ARRAY, itemType: arrayItemType(key, value), value });
      else if (value !== null && typeof value === "object") visit(key, value as Record<string, unknown>);
      else kvs.push({ key, type: scalarType(key, value), value });
    }
  };
  visit("tokenizer.ggml", ggml as Record<string, unknown>);
  return kvs;
}

function scalarType(key: string, value: unknown): ScalarType {
  if (typeof value === "string") return T.STRING;
  if (typeof value === "boolean") return T.BOOL;
  if (typeof value === "bigint") return value < 0n ? T.I64 : T.U64;
  if (typeof value === "number") {
    if (key.endsWith("_id") || (Number.isInteger(value) && value >= 0)) return T.U32;
    return Number.isInteger(value) ? T.I32 : T.F32;
  }
  throw new Error(`Unsupported metadata value for ${key}: ${String(value)}`);
}

function arrayItemType(key: string, values: unknown[]): ScalarType {
  if (key === "tokenizer.ggml.scores") return T.F32;
  if (key === "tokenizer.ggml.token_type") return T.I32;
  if (key === "tokenizer.ggml.precompiled_charsmap") return T.U8;
  if (values.every((v) => typeof v === "string")) return T.STRING;
  if (values.every((v) => typeof v === "boolean")) return T.BOOL;
  return values.every((v) => Number.isInteger(v)) ? T.I32 : T.F32;
}

function planTensors(o: ReturnType<typeof resolveOptions>, vocabSize: number, weightType: number): TensorPlan[] {
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
    const plan = { name, dims, ggmlType, ones: isNorm, offset, bytes };
    offset = alignUp(offset + bytes);
    return plan;
  });
}

/**
 * Generates a tensor's values chunk by chunk and writes them in its type. Each chunk has its own
 * xorshift32 stream (seeded from the tensor seed and the chunk index); writing one chunk overlaps
 * with generating the next.
 */
async function writeTensorData(handle: FileHandle, tensor: TensorPlan, seed: number): Promise<void> {
  const total = tensor.dims.reduce((a, b) => a * b, 1);
  const values = new Float32Array(Math.min(CHUNK, total));
  const outs = [0, 1].map(() => Buffer.alloc(byteSize(tensor.ggmlType, values.length)));
  let pending: Promise<unknown> = Promise.resolve();
  for (let done = 0, k = 0; done < total; done += values.length, k++) {
    const n = Math.min(values.length, total - done);
    if (tensor.ones) values.fill(1);
    else fillRandom(values, n, mix(seed, k));
    const out = outs[k % 2]!;
    if (tensor.ggmlType === GGML_F32) Buffer.from(values.buffer, 0, n * 4).copy(out);
    else if (tensor.ggmlType === GGML_F16) for (let i = 0; i < n; i++) out.writeUInt16LE(toHalf(values[i]!), i * 2);
    else quantizeQ4_0(values, n, out);
    await pending;
    pending = handle.write(out, 0, byteSize(tensor.ggmlType, n));
  }
  await pending;
}

/** Uniform values in [-WEIGHT_AMPLITUDE, WEIGHT_AMPLITUDE): two 16-bit draws per xorshift32 step. */
function fillRandom(values: Float32Array, n: number, seed: number): void {
  const scale = WEIGHT_AMPLITUDE / 2 ** 15;
  let state = seed;
  for (let i = 0; i < n; i += 2) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = ((state << 16) >> 16) * scale;
    values[i + 1] = (state >> 16) * scale; // past the end when n is odd: typed arrays ignore it
  }
}

/** A non-zero xorshift32 seed per tensor, so each tensor's values depend only on the seed and its name. */
function tensorSeed(seed: number, name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return mix(h, seed);
}

/** Mixes a value into a hash (murmur3's finaliser); never returns 0, which would stall xorshift. */
function mix(h: number, value: number): number {
  h = Math.imul(h ^ Math.imul(value | 0, 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0 || 0x9e3779b9;
}

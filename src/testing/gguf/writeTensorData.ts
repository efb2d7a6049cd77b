import type { FileHandle } from "node:fs/promises";
import { GGML_F16, GGML_F32, GGML_Q4_0, byteSize, type GgufTensorInfo } from "./ggufEncoding.js";
import { quantizeQ4_0, toHalf } from "./quantizeQ4_0.js";

/** A tensor as the writer plans it: its header entry, its size and how its values are made. */
export interface TensorPlan extends GgufTensorInfo {
  /** Norm weights are all ones. */
  ones: boolean;
  bytes: number;
}

/**
 * How Q4_0 weights are made: `"quantized"` quantises random floats (the weights decode close to the F32 model
 * of the same seed); `"random"` writes random Q4_0 blocks directly, many times faster and just as fast to run.
 */
export type Q4_0Weights = "quantized" | "random";

/** Uniform weights with a standard deviation of 0.02, the usual initialisation scale. */
const WEIGHT_AMPLITUDE = 0.02 * Math.sqrt(3);
/** Elements generated per write when generating floats; a multiple of the Q4_0 block size. Part of the output: changing it changes every file. */
const CHUNK = 1 << 20;
/** Elements per write of random Q4_0 blocks: 2.25 MB, few enough syscalls for multi-gigabyte files. */
const RANDOM_BLOCKS_CHUNK = 1 << 22;
/**
 * The one scale of every random Q4_0 block: uniform nibbles q give weights d * (q - 8), whose standard
 * deviation is d * sqrt((16² - 1) / 12), so this d gives the same 0.02 as the float weights.
 */
const RANDOM_BLOCK_SCALE = toHalf(0.02 / Math.sqrt((16 * 16 - 1) / 12));

/**
 * Generates a tensor's values chunk by chunk and writes them in its type, so memory stays bounded whatever the
 * tensor's size. Each chunk has its own xorshift32 stream (seeded from the tensor seed and the chunk index);
 * writing one chunk overlaps with generating the next.
 */
export async function writeTensorData(handle: FileHandle, tensor: TensorPlan, seed: number, q4_0Weights: Q4_0Weights): Promise<void> {
  if (tensor.ggmlType === GGML_Q4_0 && q4_0Weights === "random" && !tensor.ones) return writeRandomQ4_0(handle, tensor, seed);
  const total = elementsOf(tensor);
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

/** Random Q4_0 blocks: random bytes (two nibbles each) with the fixed scale written over each block's first two. */
async function writeRandomQ4_0(handle: FileHandle, tensor: TensorPlan, seed: number): Promise<void> {
  const total = elementsOf(tensor);
  const chunkBytes = byteSize(GGML_Q4_0, Math.min(RANDOM_BLOCKS_CHUNK, total));
  const outs = [0, 1].map(() => Buffer.alloc(chunkBytes));
  let pending: Promise<unknown> = Promise.resolve();
  for (let done = 0, k = 0; done < total; done += RANDOM_BLOCKS_CHUNK, k++) {
    const bytes = byteSize(GGML_Q4_0, Math.min(RANDOM_BLOCKS_CHUNK, total - done));
    const out = outs[k % 2]!;
    await pending; // the buffer written two chunks ago is free again
    fillRandomBytes(out, bytes, mix(seed, k));
    for (let o = 0; o < bytes; o += 18) {
      out[o] = RANDOM_BLOCK_SCALE & 0xff;
      out[o + 1] = RANDOM_BLOCK_SCALE >>> 8;
    }
    pending = handle.write(out, 0, bytes);
  }
  await pending;
}

function elementsOf(tensor: GgufTensorInfo): number {
  return tensor.dims.reduce((a, b) => a * b, 1);
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

/** The first `n` bytes of `out` from an xorshift32 stream, a 32-bit word at a time (the buffer starts 4-byte aligned). */
function fillRandomBytes(out: Buffer, n: number, seed: number): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, n >>> 2);
  let state = seed;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state;
  }
  for (let i = words.length * 4; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
}

/** A non-zero xorshift32 seed per tensor, so each tensor's values depend only on the seed and its name. */
export function tensorSeed(seed: number, name: string): number {
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

import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { writeLlamaGguf, type LlamaGgufFileType, type LlamaGgufShape } from "../../src/testing/writeLlamaGguf.js";

/**
 * Where generated benchmark models are kept: git-ignored, beside the vocab cache, reused across runs
 * (a 7B-shaped Q4_0 file is 3.8 GB). Relative to this file, so it works from any working directory.
 */
export const BENCH_MODEL_DIR = fileURLToPath(new URL("../../../node_modules/.cache/llamadesk/bench/", import.meta.url));

/**
 * Bump when the generator's output changes, so cached files from an older generator are not reused.
 * v1: random Q4_0 blocks (random nibbles, one fixed scale), seed 1.
 */
const GENERATOR_VERSION = 1;

/** A random-weight model of a real shape in the bench cache, generated on first use (which it reports). */
export async function benchModelPath(shape: LlamaGgufShape, fileType: LlamaGgufFileType = "Q4_0"): Promise<string> {
  const file = `${BENCH_MODEL_DIR}${shape}-${fileType.toLowerCase()}-v${GENERATOR_VERSION}.gguf`;
  if (existsSync(file)) return file;
  console.log(`    (generating ${shape}-shaped ${fileType} model ${file} ...)`);
  const start = performance.now();
  await writeLlamaGguf({ path: file, shape, fileType });
  const { size } = await stat(file);
  console.log(`    (generated ${(size / 1e9).toFixed(2)} GB in ${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return file;
}

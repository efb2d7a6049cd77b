import { existsSync } from "node:fs";
import { LlamadeskError } from "../../errors.js";
import { T, type Kv, type ScalarType } from "./ggufEncoding.js";

/**
 * Reads every `tokenizer.ggml.*` key of a vocab GGUF with node-llama-cpp's reader. It returns plain
 * JS values, so the GGUF types are restored the way llama.cpp's converter writes them (llama.cpp
 * checks them strictly): ids u32, flags bool, scores f32 array, token types i32 array.
 */
export async function readTokenizerKvs(vocabPath: string): Promise<Kv[]> {
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

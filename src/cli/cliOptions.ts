import { resolve } from "node:path";
import { readEnv, DEFAULT_INDEX_DIR } from "../config.js";
import { LlamadeskError } from "../errors.js";
import type { EmbedderConfig, EmbedderKind } from "../knowledge/createEmbedder.js";
import { RETRIEVAL_MODES, type RetrievalMode } from "../retrieval/HybridRetriever.js";

/** Options every command that touches an index shares. */
export interface IndexCliOptions {
  index?: string;
  embedder?: string;
  embedderModel?: string;
}

/** --index, else LLAMADESK_INDEX, else knowledge/index (relative to the working directory). */
export function resolveIndexDir(options: IndexCliOptions): string {
  return resolve(options.index ?? readEnv().indexDir ?? DEFAULT_INDEX_DIR);
}

export function resolveEmbedderConfig(options: IndexCliOptions): EmbedderConfig {
  const env = readEnv();
  const kind = options.embedder ?? env.embedder ?? "use-lite";
  if (kind !== "use-lite" && kind !== "gguf") {
    throw new LlamadeskError("INVALID_OPTION", `--embedder must be "use-lite" or "gguf" (got "${kind}").`);
  }
  const modelPath = options.embedderModel ?? env.embedderModel;
  return { kind: kind as EmbedderKind, ...(modelPath ? { modelPath: resolve(modelPath) } : {}) };
}

export function parseK(value: string): number {
  const k = Number(value);
  if (!Number.isInteger(k) || k < 1 || k > 1000) {
    throw new LlamadeskError("INVALID_OPTION", `--k must be a whole number from 1 to 1000 (got "${value}").`);
  }
  return k;
}

export function parseMode(value: string): RetrievalMode {
  if (!(RETRIEVAL_MODES as readonly string[]).includes(value)) {
    throw new LlamadeskError("INVALID_OPTION", `--mode must be one of ${RETRIEVAL_MODES.join(", ")} (got "${value}").`);
  }
  return value as RetrievalMode;
}

/** A parser for a whole-number option of at least 1, naming the option when the value is wrong. */
export function parsePositiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new LlamadeskError("INVALID_OPTION", `${flag} must be a whole number of at least 1 (got "${value}").`);
    return n;
  };
}

/** --port: 0 (any free port) to 65535. */
/** A port number from 0 to 65535; `name` says where the value came from in the error (`--port`, `PORT`). */
export function parsePort(value: string, name = "--port"): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new LlamadeskError("INVALID_OPTION", `${name} must be a port number from 0 to 65535 (got "${value}").`);
  return n;
}

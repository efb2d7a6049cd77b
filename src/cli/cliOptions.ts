import { readEnv } from "../config.js";
import { databaseOf, indexDirOf, loadConfigFile, type DatabaseChoice } from "../configFile.js";
import { LlamadeskError } from "../errors.js";
import type { EmbedderConfig } from "../knowledge/createEmbedder.js";
import { embedderConfig } from "../presets/createLocalBot.js";
import { RETRIEVAL_MODES, type RetrievalMode } from "../retrieval/HybridRetriever.js";

/** Options every command that touches an index shares. */
export interface IndexCliOptions {
  index?: string;
  embedder?: string;
  embedderModel?: string;
  /** `--embedder-url URL` and `--embedder-key-env VAR`: the server of `--embedder openai`, and the variable holding its key. */
  embedderUrl?: string;
  embedderKeyEnv?: string;
  /** `--embed-workers N`: worker threads that embed with use-lite (else the config's embedWorkers, else LLAMADESK_EMBED_WORKERS, else one per core). */
  embedWorkers?: number;
  /** The config file (else LLAMADESK_CONFIG, else ./llamadesk.config.json if present). */
  config?: string;
  /** `--database URL`: PostgreSQL instead of the local index (else the config's `database`, else LLAMADESK_DATABASE_URL). */
  database?: string;
  /** `--knowledge NAME`: the knowledge base in that database (else the config's, else LLAMADESK_KNOWLEDGE, else "default"). */
  knowledge?: string;
}

/** The index directory (absolute) and the embedder a command uses. */
export interface ResolvedIndex {
  indexDir: string;
  embedder: EmbedderConfig;
  /** PostgreSQL, when one is configured: then the index directory is not used. */
  database: DatabaseChoice;
}

/**
 * The index and embedder every command uses, in one order: the flag, else the config file
 * (`index`, `embedder`, `embedderModel`), else the environment, else the default.
 */
export async function resolveIndex(options: IndexCliOptions): Promise<ResolvedIndex> {
  const { config } = await loadConfigFile(options.config);
  return { indexDir: indexDirOf(options.index, config), embedder: embedderConfig(options, config, readEnv()), database: databaseOf(options, config) };
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

/** A parser for a whole-number option of at least `min`, naming the option when the value is wrong. */
export function parseWholeNumber(flag: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min) throw new LlamadeskError("INVALID_OPTION", `${flag} must be a whole number of at least ${min} (got "${value}").`);
    return n;
  };
}

/** A port number from 0 to 65535; `name` says where the value came from in the error (`--port`, `PORT`). */
export function parsePort(value: string, name = "--port"): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new LlamadeskError("INVALID_OPTION", `${name} must be a port number from 0 to 65535 (got "${value}").`);
  return n;
}

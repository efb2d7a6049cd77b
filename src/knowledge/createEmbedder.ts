import { availableParallelism } from "node:os";
import { readEnvVariable } from "../config.js";
import { LlamadeskError } from "../errors.js";
import type { Embedder } from "./Embedder.js";
import { UseLiteEmbedder } from "./UseLiteEmbedder.js";

export type EmbedderKind = "use-lite" | "gguf" | "openai";

export interface EmbedderConfig {
  /** Defaults to "use-lite", the embedded default that needs no download. */
  kind?: EmbedderKind;
  /** GGUF embedding model file; required with kind "gguf". */
  modelPath?: string;
  /** With kind "openai": the server's base URL (…/v1), the model's name (else the first it lists) and the variable holding its API key. */
  url?: string;
  model?: string;
  apiKeyEnv?: string;
  /**
   * Worker threads that embed with "use-lite", each loading the model once: ingest and the questions of a
   * running bot use every core. 1 embeds in the calling thread, as a single embedder. The "gguf" embedder
   * ignores it: llama.cpp already spreads each embedding over the math cores. Defaults to the machine's cores.
   */
  workers?: number;
}

/** Builds the configured embedder. node-llama-cpp is only loaded when a GGUF model is asked for. */
export async function createEmbedder(config: EmbedderConfig = {}): Promise<Embedder> {
  const kind = config.kind ?? "use-lite";
  if (kind === "use-lite") {
    const workers = config.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) {
      throw new LlamadeskError("INVALID_OPTION", `embedWorkers must be a whole number of at least 1 (got ${workers}); 1 embeds in the main thread.`);
    }
    if (workers <= 1) return new UseLiteEmbedder();
    const { useLitePool } = await import("./pool/useLitePool.js");
    return useLitePool({ workers });
  }
  if (kind === "gguf") {
    if (!config.modelPath) {
      throw new LlamadeskError(
        "INVALID_OPTION",
        "The gguf embedder needs a model file: pass --embedder-model PATH, set embedderModel in the config file, or set LLAMADESK_EMBEDDER_MODEL.",
      );
    }
    const { LlamaEmbedder } = await import("./LlamaEmbedder.js");
    return LlamaEmbedder.create({ modelPath: config.modelPath });
  }
  if (kind === "openai") {
    if (!config.url) {
      throw new LlamadeskError(
        "INVALID_OPTION",
        "The openai embedder needs its server: pass --embedder-url http(s)://host:port/v1, set embedderUrl in the config file, or set LLAMADESK_EMBEDDER_URL.",
      );
    }
    const apiKey = config.apiKeyEnv === undefined ? undefined : readEnvVariable(config.apiKeyEnv);
    if (config.apiKeyEnv !== undefined && apiKey === undefined) {
      throw new LlamadeskError("MODEL_AUTH_FAILED", `The embedding server's API key should be in the environment variable ${config.apiKeyEnv}, which is not set. Set it, or name another with --embedder-key-env / embedderKeyEnv.`);
    }
    const { OpenAiEmbedder } = await import("./OpenAiEmbedder.js");
    return OpenAiEmbedder.create({ baseUrl: config.url, model: config.model, apiKey, apiKeyEnv: config.apiKeyEnv });
  }
  throw new LlamadeskError("INVALID_OPTION", `Unknown embedder "${String(kind)}": use "use-lite", "gguf" or "openai".`);
}

import { availableParallelism } from "node:os";
import { LlamadeskError } from "../errors.js";
import type { Embedder } from "./Embedder.js";
import { UseLiteEmbedder } from "./UseLiteEmbedder.js";

export type EmbedderKind = "use-lite" | "gguf";

export interface EmbedderConfig {
  /** Defaults to "use-lite", the embedded default that needs no download. */
  kind?: EmbedderKind;
  /** GGUF embedding model file; required with kind "gguf". */
  modelPath?: string;
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
  throw new LlamadeskError("INVALID_OPTION", `Unknown embedder "${String(kind)}": use "use-lite" or "gguf".`);
}

import { LlamadeskError } from "../errors.js";
import type { Embedder } from "./Embedder.js";
import { UseLiteEmbedder } from "./UseLiteEmbedder.js";

export type EmbedderKind = "use-lite" | "gguf";

export interface EmbedderConfig {
  /** Defaults to "use-lite", the embedded default that needs no download. */
  kind?: EmbedderKind;
  /** GGUF embedding model file; required with kind "gguf". */
  modelPath?: string;
}

/** Builds the configured embedder. node-llama-cpp is only loaded when a GGUF model is asked for. */
export async function createEmbedder(config: EmbedderConfig = {}): Promise<Embedder> {
  const kind = config.kind ?? "use-lite";
  if (kind === "use-lite") return new UseLiteEmbedder();
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

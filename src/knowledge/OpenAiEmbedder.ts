import { LlamadeskError } from "../errors.js";
import { OpenAiEndpoint, type OpenAiEndpointOptions } from "../model/OpenAiEndpoint.js";
import { normalize, type EmbedOptions, type Embedder } from "./Embedder.js";

export interface OpenAiEmbedderOptions extends OpenAiEndpointOptions {
  /** The embedding model to ask for. Defaults to the first model the server lists at `GET /v1/models`. */
  model?: string | undefined;
  /** Texts sent in one request. Defaults to 64. */
  batchSize?: number | undefined;
  /** Requests in flight at once. Defaults to 4. */
  concurrency?: number | undefined;
}

/**
 * Embeddings from an OpenAI-compatible server's `/v1/embeddings` (vLLM, llama.cpp's llama-server with `--embeddings`,
 * Ollama, TEI, or a hosted API): texts go in batches, a few requests at once, each retried like a chat request.
 * The id names the server and the model, so an index built with it refuses any other embedder (EMBEDDER_MISMATCH).
 * Vectors are L2-normalised here, whatever the server sends.
 */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly model: string;
  private readonly batchSize: number;
  private readonly concurrency: number;

  private constructor(
    private readonly endpoint: OpenAiEndpoint,
    init: { model: string; dimensions: number; batchSize: number; concurrency: number },
  ) {
    this.model = init.model;
    this.dimensions = init.dimensions;
    this.batchSize = init.batchSize;
    this.concurrency = init.concurrency;
    this.id = `openai:${endpoint.where}:${init.model}:${init.dimensions}`;
  }

  /** Finds the model (when not named) and its vector size with one small request, so a wrong URL, key or model fails here. */
  static async create(options: OpenAiEmbedderOptions): Promise<OpenAiEmbedder> {
    for (const field of ["batchSize", "concurrency"] as const) {
      const value = options[field];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new LlamadeskError("INVALID_OPTION", `OpenAiEmbedder: ${field} must be a whole number of at least 1, got ${JSON.stringify(value)}.`);
      }
    }
    const endpoint = new OpenAiEndpoint(options);
    const model =
      options.model ??
      (await endpoint.withRetries("GET /v1/models", async () => (await endpoint.client.models.list()).data[0]?.id)) ??
      (() => {
        throw new LlamadeskError("MODEL_BAD_RESPONSE", `${endpoint.baseUrl}/models lists no model. Load an embedding model on the server, or name one with --embedder-model.`);
      })();
    const init = { model, dimensions: 0, batchSize: options.batchSize ?? 64, concurrency: options.concurrency ?? 4 };
    const probe = new OpenAiEmbedder(endpoint, init);
    const [vector] = await probe.request(["dimension probe"]);
    return new OpenAiEmbedder(endpoint, { ...init, dimensions: vector!.length });
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) batches.push(texts.slice(i, i + this.batchSize));
    const results: number[][][] = new Array(batches.length);
    let next = 0;
    // A few workers take batches in turn; the first failure stops the others taking more.
    let failed = false;
    const worker = async () => {
      while (!failed && next < batches.length) {
        const at = next++;
        try {
          results[at] = await this.request(batches[at]!, options.signal);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
    return results.flat();
  }

  async dispose(): Promise<void> {}

  private async request(input: string[], signal?: AbortSignal): Promise<number[][]> {
    const what = `POST /embeddings (model ${this.model})`;
    const response = await this.endpoint.withRetries(
      what,
      () => this.endpoint.client.embeddings.create({ model: this.model, input, encoding_format: "float" }, signal ? { signal } : {}),
      signal,
    );
    const data = Array.isArray(response?.data) ? response.data : [];
    const vectors: number[][] = new Array(input.length);
    for (const item of data) if (Number.isInteger(item.index) && Array.isArray(item.embedding)) vectors[item.index] = item.embedding;
    for (let i = 0; i < input.length; i++) {
      const vector = vectors[i];
      const size = this.dimensions || vectors[0]?.length || 0;
      if (vector === undefined || vector.length === 0 || vector.length !== size || !vector.every(Number.isFinite)) {
        throw new LlamadeskError(
          "MODEL_BAD_RESPONSE",
          `${what} at ${this.endpoint.baseUrl} sent ${vector === undefined ? "no vector" : `a vector of ${vector.length} numbers`} for text ${i + 1} of ${input.length}` +
            `${size ? ` (expected ${size})` : ""}. Check that the model is an embedding model and the server's log.`,
        );
      }
      normalize(vector);
    }
    return vectors;
  }
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import type { EmbedOptions, Embedder } from "../../src/knowledge/Embedder.js";
import { createEmbedder } from "../../src/knowledge/createEmbedder.js";
import { OpenAiEmbedder } from "../../src/knowledge/OpenAiEmbedder.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";

/** The server's embedder: FakeEmbedder's vectors, scaled (a server need not normalise), counting requests in flight. */
class MeasuredEmbedder implements Embedder {
  readonly id = "measured";
  readonly dimensions = 32;
  inFlight = 0;
  mostInFlight = 0;
  batches: number[] = [];
  private readonly inner = new FakeEmbedder({ dimensions: 32 });
  async embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    this.batches.push(texts.length);
    // Yields a few times so concurrent requests overlap on the server.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    return (await this.inner.embed(texts, options)).map((v) => v.map((x) => 3 * x));
  }
}

const texts = Array.from({ length: 23 }, (_, i) => `How do I change setting number ${i} of the desktop app?`);

// The OpenAI-compatible embedder against a loopback /v1/embeddings. Written as the Embedder contract asks
// (dimensions, normalised, deterministic, order, batching), so it can join the shared suite.
describe("OpenAiEmbedder against an OpenAI-compatible server", () => {
  let server: OpenAiCompatibleServer;
  let backend: MeasuredEmbedder;
  const embedRequests = () => server.requests.filter((r) => r.url.startsWith("/v1/embeddings"));

  beforeAll(async () => {
    backend = new MeasuredEmbedder();
    server = await startOpenAiCompatibleServer({ chatModel: new FakeChatModel(), embedder: backend, models: ["nomic-embed-text", "other-embedder"] });
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    backend.batches = [];
    backend.mostInFlight = 0;
  });

  it("learns the model (first listed) and its dimensions from one request; the id names the server, the model and the size", async () => {
    const embedder = await OpenAiEmbedder.create({ baseUrl: server.url });
    expect(embedder.dimensions).toBe(32);
    expect(embedder.model).toBe("nomic-embed-text");
    expect(embedder.id).toBe(`openai:${new URL(server.url).host}/v1:nomic-embed-text:32`);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /v1/models", "POST /v1/embeddings"]);
    expect(embedRequests()[0]!.body).toMatchObject({ model: "nomic-embed-text", encoding_format: "float" });
    const other = await OpenAiEmbedder.create({ baseUrl: server.url, model: "other-embedder" });
    expect(other.id).not.toBe(embedder.id);
  });

  it("embeds in batches, a few requests at once, keeping the order; vectors are unit length and match one-by-one embedding", async () => {
    const embedder = await OpenAiEmbedder.create({ baseUrl: server.url, model: "nomic-embed-text", batchSize: 5, concurrency: 2 });
    backend.batches = [];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    expect(backend.batches).toEqual([5, 5, 5, 5, 3]);
    expect(backend.mostInFlight).toBe(2);
    for (const v of vectors) {
      expect(v).toHaveLength(32);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    }
    const single = await Promise.all(texts.slice(0, 7).map(async (t) => (await embedder.embed([t]))[0]!));
    for (const [i, v] of single.entries()) expect(v).toEqual(vectors[i]);
    expect(await embedder.embed([])).toEqual([]);
  });

  it("retries 429 and 500, then fails with a coded error that says what to check", async () => {
    const embedder = await OpenAiEmbedder.create({ baseUrl: server.url, model: "nomic-embed-text", maxRetries: 2 });
    server.requests.length = 0;
    server.script({ status: 429, headers: { "retry-after": "0" } }, { status: 503, headers: { "retry-after": "0" } });
    expect(await embedder.embed(["hello"])).toHaveLength(1);
    expect(embedRequests()).toHaveLength(3);
    server.script(...Array.from({ length: 3 }, () => ({ status: 500, headers: { "retry-after": "0" }, body: { error: { message: "out of memory" } } })));
    const error = await embedder.embed(["hello"]).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "MODEL_BAD_RESPONSE")).toBe(true);
    expect((error as Error).message).toContain("out of memory");
  });

  it("refuses a response with a vector missing or of the wrong size", async () => {
    const embedder = await OpenAiEmbedder.create({ baseUrl: server.url, model: "nomic-embed-text" });
    server.script({ status: 200, body: { object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 1, total_tokens: 1 } } });
    const error = await embedder.embed(["hello"]).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "MODEL_BAD_RESPONSE")).toBe(true);
    expect((error as Error).message).toContain("a vector of 2 numbers for text 1 of 1 (expected 32)");
  });

  it("createEmbedder builds it from --embedder openai settings, with the key from the named variable", async () => {
    const locked = await startOpenAiCompatibleServer({ chatModel: new FakeChatModel(), embedder: backend, apiKey: "sk-embed", models: ["e5"] });
    try {
      process.env.TEST_EMBED_KEY = "sk-embed";
      const embedder = await createEmbedder({ kind: "openai", url: locked.url, model: "e5", apiKeyEnv: "TEST_EMBED_KEY" });
      expect(embedder.id).toContain(":e5:32");
      expect(locked.requests.at(-1)!.headers.authorization).toBe("Bearer sk-embed");
      const noKey = await createEmbedder({ kind: "openai", url: locked.url, model: "e5" }).catch((e: unknown) => e);
      expect(isLlamadeskError(noKey, "MODEL_AUTH_FAILED")).toBe(true);
      const noUrl = await createEmbedder({ kind: "openai" }).catch((e: unknown) => e);
      expect(isLlamadeskError(noUrl, "INVALID_OPTION")).toBe(true);
      expect((noUrl as Error).message).toContain("--embedder-url");
    } finally {
      delete process.env.TEST_EMBED_KEY;
      await locked.close();
    }
  });
});

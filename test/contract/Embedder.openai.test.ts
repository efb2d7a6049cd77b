import { afterAll } from "vitest";
import { OpenAiEmbedder } from "../../src/knowledge/OpenAiEmbedder.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";
import { describeEmbedderContract } from "./Embedder.contract.js";

// Embeddings from an OpenAI-compatible server (/v1/embeddings on loopback), the server embedding with the real
// USE-lite: over the wire, the embedder keeps every promise the in-process ones keep.
let server: OpenAiCompatibleServer | undefined;
afterAll(async () => server?.close());

describeEmbedderContract("OpenAI-compatible server (USE-lite behind /v1/embeddings)", async () => {
  server ??= await startOpenAiCompatibleServer({ chatModel: new FakeChatModel(), embedder: new UseLiteEmbedder(), models: ["use-lite"] });
  return OpenAiEmbedder.create({ baseUrl: server.url });
});

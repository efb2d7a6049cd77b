import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { LlamaEmbedder } from "../../src/knowledge/LlamaEmbedder.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { describeEmbedderContract } from "./Embedder.contract.js";

// llama.cpp through node-llama-cpp, on the tiny generated Llama 2 GGUF (random weights: the vectors
// mean nothing, but their shape, order, normalisation and stability are the real thing).
let work: string;
let modelPath: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "llamadesk-embedder-contract-"));
  modelPath = await writeTinyLlamaGguf({ path: join(work, "tiny.gguf"), contextLength: 256 });
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describeEmbedderContract("GGUF (node-llama-cpp)", async () => LlamaEmbedder.create({ modelPath, contextSize: 128 }));

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaChatModel } from "../../src/model/LlamaChatModel.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer, type OpenAiCompatibleServerOptions } from "../../src/testing/startOpenAiCompatibleServer.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";

export interface TinyLlamaServer {
  server: OpenAiCompatibleServer;
  /** The model behind the server: real llama.cpp tokens from the generated tiny Llama 2 GGUF. */
  backend: LlamaChatModel;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible server on a loopback port whose answers are real node-llama-cpp generations of the tiny
 * random-weight Llama 2 GGUF: streaming, stop strings and token limits are llama.cpp's, only the words are gibberish.
 */
export async function startTinyLlamaServer(options: Omit<OpenAiCompatibleServerOptions, "chatModel"> & { contextSize?: number } = {}): Promise<TinyLlamaServer> {
  const { contextSize = 512, ...serverOptions } = options;
  const work = await mkdtemp(join(tmpdir(), "llamadesk-model-server-"));
  const modelPath = await writeTinyLlamaGguf({ path: join(work, "tiny.gguf"), contextLength: Math.max(contextSize, 512) });
  // One thread: this tiny model gains nothing from two, and spinning threads crawl beside parallel test files.
  const backend = await LlamaChatModel.create({ modelPath, contextSize, sequences: 2, threads: 1 });
  const server = await startOpenAiCompatibleServer({ chatModel: backend, models: ["tiny-llama-2-chat"], ...serverOptions });
  return {
    server,
    backend,
    async close() {
      await server.close();
      await backend.dispose();
      await rm(work, { recursive: true, force: true });
    },
  };
}

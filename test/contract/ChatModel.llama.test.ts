import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaChatModel } from "../../src/model/LlamaChatModel.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { chatModelContract } from "./ChatModel.contract.js";

chatModelContract({
  name: "LlamaChatModel (node-llama-cpp, tiny Llama 2 GGUF)",
  async create() {
    const work = await mkdtemp(join(tmpdir(), "llamadesk-chat-contract-"));
    const model = await LlamaChatModel.create({ modelPath: await writeTinyLlamaGguf({ path: join(work, "tiny.gguf") }), contextSize: 512, threads: 1 });
    return {
      model,
      async dispose() {
        await model.dispose();
        await rm(work, { recursive: true, force: true });
      },
    };
  },
});

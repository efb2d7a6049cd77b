import { OpenAiChatModel } from "../../src/model/OpenAiChatModel.js";
import { startTinyLlamaServer } from "../support/tinyLlamaServer.js";
import { chatModelContract } from "./ChatModel.contract.js";

chatModelContract({
  name: "OpenAiChatModel (loopback server generating with the tiny Llama 2 GGUF)",
  async create() {
    const { server, close } = await startTinyLlamaServer();
    const model = new OpenAiChatModel({ baseUrl: server.url, timeoutMs: 30_000 });
    return {
      model,
      async dispose() {
        await model.dispose();
        await close();
      },
    };
  },
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { createBot, type Bot } from "../../src/bot.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import type { ChatModel } from "../../src/model/ChatModel.js";
import type { AnswerPolicyInput } from "../../src/pipeline/AnswerPolicy.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { FakeChatModel, type FakeChatModelOptions } from "../../src/testing/FakeChatModel.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { OpenAiChatModel } from "../../src/model/OpenAiChatModel.js";
import type { OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";
import { startTinyLlamaServer, type TinyLlamaServer } from "./tinyLlamaServer.js";

export interface LocalBotOptions {
  /**
   * The chat model: `"tiny"` the generated random-weight Llama 2 GGUF through llama.cpp (real runtime,
   * gibberish wording), `"server"` the same tiny model behind a loopback OpenAI-compatible server, reached through
   * `OpenAiChatModel` (real tokens over the wire), `"fake"` a FakeChatModel (wording you choose), `"none"` extractive answers only.
   */
  model: "tiny" | "server" | "fake" | "none";
  fake?: FakeChatModelOptions;
  /** Defaults to generative answers of at most 16 tokens for Tidepool, the sample FAQ's product. */
  policy?: AnswerPolicyInput;
}

export interface LocalBot {
  bot: Bot;
  store: SqliteConversationStore;
  /** The FakeChatModel, with `model: "fake"`. */
  fake?: FakeChatModel;
  /** The OpenAI-compatible server the bot's model talks to, with `model: "server"`. */
  modelServer?: OpenAiCompatibleServer;
  /** A temporary directory, removed by `dispose`. */
  dir: string;
  dispose(): Promise<void>;
}

/**
 * The bot as channels meet it in production, on real parts: USE-lite embeddings, the HNSW + BM25
 * index of the shipped sample FAQ (Tidepool), a SQLite conversation store, and the chosen chat model.
 * Ask "How do I stop Tidepool from using all my bandwidth?" for a clear match.
 */
export async function startLocalBot(options: LocalBotOptions): Promise<LocalBot> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-channel-"));
  const embedder = new UseLiteEmbedder();
  const knowledge = await LocalKnowledgeStore.open({ embedder });
  await ingest({ store: knowledge, embedder, connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })] });
  let chatModel: ChatModel | undefined;
  let fake: FakeChatModel | undefined;
  let tinyServer: TinyLlamaServer | undefined;
  if (options.model === "tiny") {
    const modelPath = await writeTinyLlamaGguf({ path: join(dir, "tiny.gguf"), contextLength: 2048 });
    const { LlamaChatModel } = await import("../../src/model/LlamaChatModel.js");
    // One thread: spinning llama.cpp threads crawl beside parallel test files on 2 cores.
    chatModel = await LlamaChatModel.create({ modelPath, contextSize: 2048, sequences: 2, threads: 1 });
  } else if (options.model === "server") {
    tinyServer = await startTinyLlamaServer({ contextSize: 2048 });
    chatModel = new OpenAiChatModel({ baseUrl: tinyServer.server.url, timeoutMs: 60_000 });
  } else if (options.model === "fake") {
    chatModel = fake = new FakeChatModel(options.fake);
  }
  const store = await SqliteConversationStore.open({ path: join(dir, "conversations.sqlite") });
  const bot = createBot({
    knowledge,
    embedder,
    ...(chatModel ? { chatModel } : {}),
    store,
    prompts: await loadPrompts(),
    policy: options.policy ?? { product: "Tidepool", mode: "generative", generation: { maxTokens: 16 } },
  });
  return {
    bot,
    store,
    ...(fake ? { fake } : {}),
    ...(tinyServer ? { modelServer: tinyServer.server } : {}),
    dir,
    async dispose() {
      await bot.dispose(); // disposes the model, embedder and store too
      await tinyServer?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

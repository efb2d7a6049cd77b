export { FakeEmbedder, type FakeEmbedderOptions } from "./FakeEmbedder.js";
export { writeTinyLlamaGguf, ensureVocabGguf, type TinyLlamaGgufOptions } from "./writeTinyLlamaGguf.js";
export {
  writeLlamaGguf,
  planLlamaGguf,
  LLAMA_GGUF_SHAPES,
  LLAMA2_CHAT_TEMPLATE,
  type LlamaGgufOptions,
  type LlamaGgufPlan,
  type LlamaGgufShape,
  type LlamaGgufFileType,
  type Q4_0Weights,
} from "./writeLlamaGguf.js";
export { CachingEmbedder } from "./CachingEmbedder.js";
export { FakeChatModel, type FakeChatModelOptions, type FakeChatCall } from "./FakeChatModel.js";
export {
  startOpenAiCompatibleServer,
  type OpenAiCompatibleServer,
  type OpenAiCompatibleServerOptions,
  type ServerFault,
  type RecordedModelRequest,
} from "./startOpenAiCompatibleServer.js";

export { FakeEmbedder, type FakeEmbedderOptions } from "./FakeEmbedder.js";
export { writeTinyLlamaGguf, ensureVocabGguf, type TinyLlamaGgufOptions } from "./writeTinyLlamaGguf.js";
export { CachingEmbedder } from "./CachingEmbedder.js";
export { FakeChatModel, type FakeChatModelOptions, type FakeChatCall } from "./FakeChatModel.js";

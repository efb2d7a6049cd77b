import { ensureVocabGguf } from "./ensureVocabGguf.js";
import { LLAMA2_CHAT_TEMPLATE, writeLlamaGguf, type LlamaGgufOptions } from "./writeLlamaGguf.js";

// Re-exported so existing imports of these from this module keep working.
export { ensureVocabGguf, LLAMA2_CHAT_TEMPLATE };

/** `writeLlamaGguf`'s options for the tiny shape: 64 wide, 2 blocks, 4 heads, feed-forward 128, context 512. */
export type TinyLlamaGgufOptions = Omit<LlamaGgufOptions, "shape">;

/**
 * Writes a tiny (a few MB) Llama 2-architecture GGUF with deterministic random weights and the real Llama 2
 * tokenizer and chat template: `writeLlamaGguf` with the `"tiny"` shape. Returns the path written.
 */
export function writeTinyLlamaGguf(options: TinyLlamaGgufOptions): Promise<string> {
  return writeLlamaGguf({ ...options, shape: "tiny" });
}

import { TokenBias, type LlamaModel } from "node-llama-cpp";
import { LlamadeskError } from "../errors.js";

/**
 * A token bias that bans the model's end-of-generation tokens (EOS, EOT), so generation runs to `maxTokens`: what
 * `ignoreEos` asks for, in benchmarks. `TokenBias.set()` skips these tokens on purpose (`"never"` on EOS is ignored)
 * and node-llama-cpp 3.21 has no other switch, so the ban goes into the bias's map directly: llama.cpp's logit-bias
 * sampler applies it to any token. The LlamaChatModel tests check that exactly maxTokens come out.
 */
export function banEndOfGeneration(model: LlamaModel): TokenBias {
  const bias = new TokenBias(model.tokenizer);
  const biases = (bias as unknown as { _biases?: unknown })._biases;
  if (!(biases instanceof Map)) {
    throw new LlamadeskError("MODEL_FAILED", "ignoreEos relies on node-llama-cpp 3.21's TokenBias internals, which this node-llama-cpp version lacks; leave ignoreEos out.");
  }
  for (const token of [model.tokens.eos, model.tokens.eot]) if (token !== null) biases.set(token, -Infinity);
  return bias;
}

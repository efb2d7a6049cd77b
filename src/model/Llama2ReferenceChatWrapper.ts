import {
  Llama2ChatWrapper,
  LlamaText,
  SpecialToken,
  SpecialTokensText,
  type ChatWrapperGenerateContextStateOptions,
  type ChatWrapperGeneratedContextState,
} from "node-llama-cpp";

/**
 * node-llama-cpp's Llama 2-Chat wrapper, tokenised like Meta's reference code and the model's own chat template:
 * `<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s><s>[INST] {user} [/INST]`.
 *
 * node-llama-cpp tokenises each structural piece apart, which puts stray "▁" tokens after every message and
 * after the final `[/INST]`, and (with `addSpaceBeforeEos`) ends the prompt with spaces. Llama 2's markers are
 * ordinary text, so here each turn is one run of text; BOS/EOS stay special tokens, and message text is still
 * never parsed for special tokens, so `</s>` typed by a user is text.
 */
export class Llama2ReferenceChatWrapper extends Llama2ChatWrapper {
  constructor() {
    super({ addSpaceBeforeEos: true });
  }

  override generateContextState(options: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
    const state = super.generateContextState(options);
    const values: (string | SpecialToken | SpecialTokensText)[] = [];
    let run = "";
    const flush = () => {
      // A leading "[INST]" tokenised on its own keeps the "▁[" every turn starts with.
      if (run.startsWith("[INST]")) values.push(new SpecialTokensText("[INST]"), run.slice("[INST]".length));
      else if (run !== "") values.push(run);
      run = "";
    };
    for (const value of state.contextText.values) {
      if (value instanceof SpecialToken) {
        flush();
        values.push(value);
      } else run += typeof value === "string" ? value : value.value;
    }
    // The last turn has no EOS, so no space before it; and the answer to come starts right after "[/INST]".
    if (run.endsWith(" ")) run = run.slice(0, -1);
    if (run.endsWith(" [/INST] ")) run = run.slice(0, -1);
    flush();
    return { ...state, contextText: LlamaText(values) };
  }
}

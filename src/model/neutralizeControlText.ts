/**
 * Llama 2-Chat's markers, typed by anyone: `[INST]`, `[/INST]`, `<<SYS>>`, `<</SYS>>`, in any case, with spaces
 * inside, or unclosed (`[INST` still reads as a marker to the model).
 */
const LLAMA2_MARKER = /\[(\s*\/?\s*inst\b\s*\]?)|<<(\s*\/?\s*sys\b\s*(?:>>)?)/gi;

/** Alpaca's section titles (`### Instruction:`, `### Response:`, `### Input:`, `### System:`) ending a line or followed by a colon. */
const ALPACA_TITLE = /(#+)([ \t]*(?:instruction|response|input|system)\b)(?=[ \t]*(?::|$))/gim;

/**
 * Breaks the chat templates' control markers in message text, so that text a user typed or a passage retrieved
 * can never open or close a turn or the system block of the prompt.
 *
 * Llama 2's markers are ordinary text (only BOS/EOS are special tokens, and message text never produces those),
 * so a typed `[INST]` tokenises exactly like the real one; Alpaca's `### Instruction:` titles likewise. The brackets
 * and hashes of a marker become their fullwidth look-alikes (`［INST］`, `＜＜SYS＞＞`, `＃＃＃ Instruction:`):
 * still readable to the model and to a person reading the prompt, but tokenised as other tokens (UTF-8 byte tokens
 * in Llama 2's vocabulary), unlike an invisible zero-width space that a reader could not see in a log.
 * Everything else, including `<s>` and `</s>` (already plain text to the tokenizer), is left as it is.
 */
export function neutralizeControlText(text: string): string {
  return text
    .replace(LLAMA2_MARKER, (_match: string, inst: string | undefined, sys: string | undefined) =>
      inst !== undefined ? `［${inst.replace("]", "］")}` : `＜＜${(sys ?? "").replace(">>", "＞＞")}`,
    )
    .replace(ALPACA_TITLE, (_match: string, hashes: string, title: string) => "＃".repeat(hashes.length) + title);
}

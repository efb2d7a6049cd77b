import type { TrainingExample } from "./TrainingExample.js";

export const FINETUNE_FORMATS = ["llama2-chat", "alpaca"] as const;
export type FinetuneFormat = (typeof FINETUNE_FORMATS)[number];

/**
 * One JSONL record in the format's usual shape:
 * - `llama2-chat`: `{ "text": "<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{question} [/INST] {answer} </s><s>[INST] ..." }`,
 *   the template Llama 2-Chat was trained on (system prompt in the first turn only);
 * - `alpaca`: `{ "instruction", "input", "output" }`: the last question, the conversation before it
 *   (empty for a single question), and its answer.
 */
export function formatExample(example: TrainingExample, format: FinetuneFormat, system: string): Record<string, string> {
  if (format === "alpaca") {
    const last = example.turns.at(-1)!;
    const earlier = example.turns.slice(0, -1).map((t) => `Customer: ${t.user}\nSupport: ${t.assistant}`);
    return { instruction: last.user, input: earlier.join("\n"), output: last.assistant };
  }
  const text = example.turns
    .map((turn, i) => {
      const user = i === 0 && system ? `<<SYS>>\n${system}\n<</SYS>>\n\n${turn.user}` : turn.user;
      return `<s>[INST] ${user} [/INST] ${turn.assistant} </s>`;
    })
    .join("");
  return { text };
}

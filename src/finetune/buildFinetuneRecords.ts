import { neutralizeControlText } from "../model/neutralizeControlText.js";
import { formatExample, type FinetuneFormat } from "./formatExample.js";
import { redactPersonalData } from "./redactPersonalData.js";
import type { TrainingExample } from "./TrainingExample.js";

export interface BuildFinetuneRecordsOptions {
  format: FinetuneFormat;
  /** System prompt of every llama2-chat example (the bot's, with the product filled in). Defaults to none. */
  system?: string;
  /** Redact emails, phone numbers and user mentions. Defaults to true. */
  redact?: boolean;
}

export interface FinetuneRecords {
  records: Record<string, string>[];
  /** Examples left out because an earlier one had the same text (after redaction, ignoring case and spacing). */
  duplicates: number;
}

/**
 * Training records from examples: personal data redacted, chat-template markers in the text
 * defused (a customer typing "[INST]" must not teach the model a fake turn boundary), and
 * duplicates dropped.
 */
export function buildFinetuneRecords(examples: Iterable<TrainingExample>, options: BuildFinetuneRecordsOptions): FinetuneRecords {
  const clean = (text: string) => neutralizeControlText(options.redact === false ? text : redactPersonalData(text));
  const seen = new Set<string>();
  const records: Record<string, string>[] = [];
  let duplicates = 0;
  for (const example of examples) {
    const turns = example.turns.map((t) => ({ user: clean(t.user), assistant: clean(t.assistant) }));
    const key = turns.map((t) => `${normalize(t.user)}\u0000${normalize(t.assistant)}`).join("\u0001");
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    records.push(formatExample({ ...example, turns }, options.format, options.system ?? ""));
  }
  return { records, duplicates };
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { databaseOf, indexDirOf, loadConfigFile } from "../configFile.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { openDatabase, openReviewQueue } from "../openStateStores.js";
import { LlamadeskError } from "../errors.js";
import { buildFinetuneRecords } from "../finetune/buildFinetuneRecords.js";
import { FINETUNE_FORMATS, type FinetuneFormat } from "../finetune/formatExample.js";
import { gatherExamples } from "../finetune/gatherExamples.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import { resolveReviewQueuePath } from "../mining/reviewQueuePath.js";
import { resolvePolicy } from "../pipeline/AnswerPolicy.js";
import { loadPrompts } from "../prompts/loadPrompts.js";

export interface ExportFinetuneCliOptions {
  format: string;
  out: string;
  queue?: string;
  index?: string;
  config?: string;
  /** `--database URL`, `--knowledge NAME`: the queue and the knowledge in PostgreSQL. */
  database?: string;
  knowledge?: string;
  /** `--with-faq`: add the index's FAQ entries. */
  withFaq?: boolean;
  /** `--no-redact` sets false. */
  redact?: boolean;
  /** `--system TEXT`, or false with `--no-system`. Defaults to the bot's system prompt. */
  system?: string | boolean;
  json?: boolean;
}

/**
 * `llamadesk export-finetune`: approved Q/A, resolved threads and (optionally) FAQ entries as a JSONL
 * training set in the Llama 2-Chat or Alpaca format, deduplicated and with personal data redacted.
 * The file is written whole or not at all.
 */
export async function exportFinetuneCommand(options: ExportFinetuneCliOptions): Promise<number> {
  if (!(FINETUNE_FORMATS as readonly string[]).includes(options.format)) {
    throw new LlamadeskError("INVALID_OPTION", `--format must be one of ${FINETUNE_FORMATS.join(", ")} (got "${options.format}").`);
  }
  const format = options.format as FinetuneFormat;
  const loaded = await loadConfigFile(options.config);
  const indexDir = indexDirOf(options.index, loaded.config);
  const queuePath = resolveReviewQueuePath({ queue: options.queue, index: indexDir }, loaded);
  const database = databaseOf(options, loaded.config);
  const postgres = await openDatabase(database.url);
  let gathered;
  let store: KnowledgeStore | undefined;
  try {
    store = options.withFaq ? await openKnowledgeStore({ indexDir, database: postgres, knowledge: database.knowledge }) : undefined;
    const queue = await openReviewQueue({ path: queuePath, postgres, knowledge: database.knowledge });
    try {
      gathered = await gatherExamples({ queue, ...(store ? { store } : {}) });
    } finally {
      await queue.dispose();
    }
  } finally {
    await store?.dispose();
    await postgres?.close();
  }
  if (gathered.examples.length === 0) {
    throw new LlamadeskError(
      "NOTHING_TO_EXPORT",
      `Nothing to export: no approved candidates in ${postgres ? postgres.where : queuePath}${store ? ` and no FAQ entries in ${store.location}` : ""}. ` +
        "Approve mined Q/A with `llamadesk review`, or add --with-faq to export your FAQ.",
    );
  }
  const system = options.system === false ? "" : typeof options.system === "string" ? options.system : await botSystemPrompt(loaded.config.prompts, loaded.config.policy?.product);
  const { records, duplicates } = buildFinetuneRecords(gathered.examples, { format, system, redact: options.redact !== false });

  const out = resolve(options.out);
  const temp = `${out}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    await rename(temp, out);
  } catch (error) {
    await rm(temp, { force: true });
    throw new LlamadeskError("INVALID_OPTION", `Cannot write ${out}: ${(error as Error).message}.`, { cause: error });
  }
  const summary = { out, format, examples: records.length, duplicates, ...gathered.counts, redacted: options.redact !== false };
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `Wrote ${records.length} ${format} examples to ${out} (${gathered.counts.approved} approved Q/A, ${gathered.counts.threads} resolved threads` +
        `${store ? `, ${gathered.counts.faq} FAQ entries` : ""}; ${duplicates} duplicates dropped; personal data ${summary.redacted ? "redacted" : "NOT redacted"}).\n`,
    );
  }
  return 0;
}

/** The system prompt the bot answers with, so the adapter learns in the setting it will run in. */
async function botSystemPrompt(promptsDir: string | undefined, product: unknown): Promise<string> {
  const prompts = await loadPrompts(promptsDir);
  return prompts.system.render({ product: typeof product === "string" ? product : resolvePolicy().product }).trim();
}

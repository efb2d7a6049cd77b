import { randomUUID } from "node:crypto";
import type { AnswerMode } from "../pipeline/AnswerPolicy.js";
import { createLocalBot } from "../presets/createLocalBot.js";
import { collectAnswer, formatSources } from "./collectAnswer.js";

export interface BotCliOptions {
  index?: string;
  model?: string;
  /** `--model-name` and `--model-key-env`: the model's name on a model server, and the variable holding its API key. */
  modelName?: string;
  modelKeyEnv?: string;
  config?: string;
  mode?: AnswerMode;
  embedder?: string;
  embedderModel?: string;
  embedderUrl?: string;
  embedderKeyEnv?: string;
  embedWorkers?: number;
  maxTokens?: number;
  /** `--database URL` and `--knowledge NAME`: PostgreSQL instead of the local files. */
  database?: string;
  knowledge?: string;
}

export interface AskCliOptions extends BotCliOptions {
  json?: boolean;
  conversation?: string;
}

/** `llamadesk ask "<question>"`: streams the answer, then its sources; `--json` prints one object instead. */
export async function askCommand(question: string, options: AskCliOptions): Promise<number> {
  const bot = await createLocalBot(localBotOptions(options));
  try {
    const conversationId = options.conversation ?? `cli-${randomUUID()}`;
    const events = bot.ask({ conversationId, text: question, channel: "cli" });
    if (options.json) {
      const summary = await collectAnswer(events);
      process.stdout.write(`${JSON.stringify({ conversationId, ...summary })}\n`);
      return summary.error ? 1 : 0;
    }
    const summary = await collectAnswer(events, {
      onText: (text) => process.stdout.write(text),
      onNotice: (message) => process.stderr.write(`note: ${message}\n`),
    });
    if (summary.error) {
      process.stdout.write("\n");
      process.stderr.write(`error [${summary.error.code}]: ${summary.error.message}\n`);
      return 1;
    }
    process.stdout.write(`\n\n${formatSources(summary)}`);
    return 0;
  } finally {
    await bot.dispose();
  }
}

export function localBotOptions(options: BotCliOptions) {
  return {
    index: options.index,
    model: options.model,
    modelName: options.modelName,
    modelKeyEnv: options.modelKeyEnv,
    configFile: options.config,
    embedder: options.embedder,
    embedderModel: options.embedderModel,
    embedderUrl: options.embedderUrl,
    embedderKeyEnv: options.embedderKeyEnv,
    embedWorkers: options.embedWorkers,
    database: options.database,
    knowledge: options.knowledge,
    policy: { ...(options.mode ? { mode: options.mode } : {}), ...(options.maxTokens ? { generation: { maxTokens: options.maxTokens } } : {}) },
  };
}

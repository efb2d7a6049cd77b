import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_INDEX_DIR, readEnv } from "./config.js";
import { LlamadeskError } from "./errors.js";
import type { AnswerPolicyInput } from "./pipeline/AnswerPolicy.js";

/** `llamadesk.config.json`: settings a team keeps with its knowledge. Relative paths are relative to the file. */
export interface LlamadeskConfig {
  /** Index directory. */
  index?: string;
  /**
   * A PostgreSQL database (`postgresql://user@host:5432/db`) that holds the knowledge and every piece of
   * state (conversations, review queue, tickets) instead of local files: for bots on several machines.
   * Prefer LLAMADESK_DATABASE_URL for a URL with a password in it.
   */
  database?: string;
  /** The knowledge base's name in the database. Defaults to "default". */
  knowledge?: string;
  /** Conversation store (SQLite file). Defaults to `conversations.sqlite` beside the index directory. */
  store?: string;
  /** Chat model GGUF. */
  model?: string;
  /** Prompt format of the chat model. Defaults to `"llama2"`. */
  modelFormat?: "llama2" | "alpaca" | "auto";
  /** Tokens per conversation. Defaults to the model's, capped at 4096. */
  contextSize?: number;
  /** CPU threads. Defaults to the machine's math cores. */
  threads?: number;
  /** Conversations generated at once. Defaults to 1. */
  sequences?: number;
  /** LoRA adapter GGUF applied on the chat model. */
  lora?: string;
  /** A folder with your own versions of the prompt files. Defaults to the shipped `prompts/`. */
  prompts?: string;
  embedder?: "use-lite" | "gguf";
  embedderModel?: string;
  /**
   * Worker threads that embed with "use-lite" (ingest, sync and the questions of a running bot), each loading
   * the model once. 1 embeds in the main thread. Defaults to the machine's cores.
   */
  embedWorkers?: number;
  /** Answer policy: mode, product name, thresholds (see README, "Answerability and answer modes"). */
  policy?: AnswerPolicyInput;
  /** Slack bot settings (`llamadesk slack`); checked by the Slack channel (see README, "Slack"). */
  slack?: Record<string, unknown>;
  /** Discord bot settings (`llamadesk discord`); checked by the Discord channel (see README, "Discord"). */
  discord?: Record<string, unknown>;
  /** HTTP API and widget settings (`llamadesk serve`); checked by the web channel (see README, "Website widget"). */
  web?: Record<string, unknown>;
  /** Knowledge sources `llamadesk sync` pulls: `{ connector, ...options }` each; checked by each connector (see README, "Sync"). */
  sources?: Record<string, unknown>[];
  /** Resolved-thread mining settings (see README, "Past chats"). */
  mining?: Record<string, unknown>;
}

export const CONFIG_FILE_NAME = "llamadesk.config.json";

/** The index directory, absolute: a flag, else the config file's `index`, else LLAMADESK_INDEX, else `knowledge/index`. */
export function indexDirOf(flag: string | undefined, config: LlamadeskConfig): string {
  return resolve(flag ?? config.index ?? readEnv().indexDir ?? DEFAULT_INDEX_DIR);
}

/** Where knowledge and state live: a PostgreSQL database, and the knowledge base's name in it. */
export interface DatabaseChoice {
  /** postgresql://...; undefined: local files. */
  url?: string;
  /** The knowledge base's name, when one was given. */
  knowledge?: string;
}

/** The database: a flag, else the config file's `database`, else LLAMADESK_DATABASE_URL; the knowledge base likewise. */
export function databaseOf(flags: { database?: string | undefined; knowledge?: string | undefined }, config: LlamadeskConfig): DatabaseChoice {
  const env = readEnv();
  const url = flags.database ?? config.database ?? env.databaseUrl;
  const knowledge = flags.knowledge ?? config.knowledge ?? env.knowledge;
  return { ...(url ? { url } : {}), ...(knowledge ? { knowledge } : {}) };
}

/** The conversation store: the config file's `store`, else `conversations.sqlite` beside the index directory. */
export function storePathOf(config: LlamadeskConfig, indexDir: string): string {
  return config.store ?? join(dirname(indexDir), "conversations.sqlite");
}

const schema = z
  .object({
    index: z.string().min(1),
    database: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    knowledge: z.string().min(1),
    store: z.string().min(1),
    model: z.string().min(1),
    modelFormat: z.enum(["llama2", "alpaca", "auto"]),
    contextSize: z.number().int().min(64),
    threads: z.number().int().min(1),
    sequences: z.number().int().min(1).max(64),
    lora: z.string().min(1),
    prompts: z.string().min(1),
    embedder: z.enum(["use-lite", "gguf"]),
    embedderModel: z.string().min(1),
    embedWorkers: z.number().int().min(1),
    policy: z.record(z.string(), z.unknown()),
    slack: z.record(z.string(), z.unknown()),
    discord: z.record(z.string(), z.unknown()),
    web: z.record(z.string(), z.unknown()),
    sources: z.array(z.record(z.string(), z.unknown())),
    mining: z.record(z.string(), z.unknown()),
  })
  .strict()
  .partial();

const PATH_FIELDS = ["index", "store", "model", "lora", "prompts", "embedderModel"] as const;

export interface LoadedConfig {
  config: LlamadeskConfig;
  /** The file read, if any. */
  path?: string;
}

/**
 * Reads the config file: `explicitPath`, else LLAMADESK_CONFIG, else `./llamadesk.config.json` if it exists.
 * A file named explicitly must exist; every field is checked, and paths are made absolute.
 */
export async function loadConfigFile(explicitPath?: string, cwd = process.cwd()): Promise<LoadedConfig> {
  const named = explicitPath ?? readEnv().configFile;
  const path = resolve(cwd, named ?? CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    if (named === undefined && (cause as NodeJS.ErrnoException).code === "ENOENT") return { config: {} };
    throw new LlamadeskError("CONFIG_INVALID", `Cannot read the config file ${path}: ${(cause as Error).message}.`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new LlamadeskError("CONFIG_INVALID", `${path} is not valid JSON: ${(cause as Error).message}.`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "(top level)");
    throw new LlamadeskError("CONFIG_INVALID", `${path}: ${field}: ${issue.message}. See README, "Configuration", for the fields.`);
  }
  const config = { ...parsed.data } as LlamadeskConfig;
  for (const field of PATH_FIELDS) if (config[field] !== undefined) config[field] = resolve(dirname(path), config[field]!);
  return { config, path };
}

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
  /** Chat model: a GGUF path, or a model on an OpenAI-compatible server (an `http(s)://…/v1` URL, or `{ url, name, apiKeyEnv, … }`). */
  model?: string | ModelServerSetting;
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
  embedder?: "use-lite" | "gguf" | "openai";
  /** The GGUF embedding model (embedder "gguf"), or the model's name on the server (embedder "openai"). */
  embedderModel?: string;
  /** Embedder "openai": the server's base URL (…/v1). */
  embedderUrl?: string;
  /** Embedder "openai": the environment variable holding the server's API key. */
  embedderKeyEnv?: string;
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

/** A chat model on an OpenAI-compatible inference server (vLLM, llama.cpp's llama-server, Ollama, a hosted API). */
export interface ModelServerSetting {
  /** Base URL, ending in `/v1`. */
  url: string;
  /** The model's name on the server. Defaults to the first of `GET /v1/models`. */
  name?: string | undefined;
  /** The environment variable holding the API key (the key itself never goes in the file). Defaults to none: no key sent. */
  apiKeyEnv?: string | undefined;
  /** The header the key goes in instead of `Authorization: Bearer`, e.g. `api-key` (Azure OpenAI's deployment URLs). */
  apiKeyHeader?: string | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Query parameters sent with every request, e.g. `{ "api-version": "2024-10-21" }`. */
  query?: Record<string, string> | undefined;
  /** How long the server may take to start answering, and between streamed pieces, in ms. Defaults to 120000. */
  timeoutMs?: number | undefined;
  /** Retries on 408/409/429/5xx and failed connections. Defaults to 3. */
  maxRetries?: number | undefined;
}

const modelServerSchema = z
  .object({
    url: z.string().regex(/^https?:\/\//i, "must be an http:// or https:// URL ending in /v1"),
    name: z.string().min(1),
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable (the key itself never goes in the file)"),
    apiKeyHeader: z.string().min(1),
    headers: z.record(z.string(), z.string()),
    query: z.record(z.string(), z.string()),
    timeoutMs: z.number().int().min(1),
    maxRetries: z.number().int().min(0),
  })
  .strict()
  .partial()
  .required({ url: true });

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
    model: z.union([z.string().min(1), modelServerSchema]),
    modelFormat: z.enum(["llama2", "alpaca", "auto"]),
    contextSize: z.number().int().min(64),
    threads: z.number().int().min(1),
    sequences: z.number().int().min(1).max(64),
    lora: z.string().min(1),
    prompts: z.string().min(1),
    embedder: z.enum(["use-lite", "gguf", "openai"]),
    embedderModel: z.string().min(1),
    embedderUrl: z.string().regex(/^https?:\/\//i, "must be an http:// or https:// URL ending in /v1"),
    embedderKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable (the key itself never goes in the file)"),
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

const PATH_FIELDS = ["index", "store", "lora", "prompts"] as const;

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
  // A GGUF embedding model is a path relative to the file; a server's model is a name.
  if (config.embedderModel !== undefined && config.embedder !== "openai") config.embedderModel = resolve(dirname(path), config.embedderModel);
  // A GGUF path is relative to the file; a server URL stays as it is.
  if (typeof config.model === "string" && !/^https?:\/\//i.test(config.model)) config.model = resolve(dirname(path), config.model);
  return { config, path };
}

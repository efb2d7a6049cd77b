import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The one place llamadesk reads its environment. An explicit option always wins over these. */
export interface EnvConfig {
  /** LLAMADESK_INDEX: index directory. */
  indexDir?: string;
  /** LLAMADESK_DATABASE_URL: a PostgreSQL database (postgresql://...) for knowledge and every piece of state, instead of local files. */
  databaseUrl?: string;
  /** LLAMADESK_KNOWLEDGE: the knowledge base's name in that database (one database holds several). */
  knowledge?: string;
  /** LLAMADESK_EMBEDDER: "use-lite", "gguf" or "openai". */
  embedder?: string;
  /** LLAMADESK_EMBEDDER_MODEL: path of a GGUF embedding model (with embedder "gguf"), or the model's name on the server (with "openai"). */
  embedderModel?: string;
  /** LLAMADESK_EMBEDDER_URL and LLAMADESK_EMBEDDER_KEY_ENV: the embedding server (with embedder "openai") and the variable holding its key. */
  embedderUrl?: string;
  embedderKeyEnv?: string;
  /** LLAMADESK_EMBED_WORKERS: worker threads that embed with "use-lite" (1: in the main thread). */
  embedWorkers?: string;
  /** LLAMADESK_MODEL: path of the chat model GGUF, or an http(s)://…/v1 model server URL (after --model and the config file's "model"). */
  model?: string;
  /** LLAMADESK_MODEL_NAME: the model's name on that server (else the first it lists). */
  modelName?: string;
  /** LLAMADESK_MODEL_KEY_ENV: the variable holding that server's API key. */
  modelKeyEnv?: string;
  /** LLAMADESK_CONFIG: the config file (instead of ./llamadesk.config.json). */
  configFile?: string;
  /** VISUAL, else EDITOR: the editor `llamadesk review` opens to edit a question or answer. */
  editor?: string;
  /** npm_execpath: set when a package manager started this process (npx, npm exec, npm run; yarn and pnpm too). */
  packageManager?: string;
  /** LLAMADESK_MODELS_DIR: where `llamadesk pull` saves models. */
  modelsDir?: string;
  /** MODEL_ENDPOINT or HF_ENDPOINT (the names llama.cpp and node-llama-cpp read): a Hugging Face mirror for `hf:` URIs. */
  huggingFaceEndpoint?: string;
  /** PORT: where `llamadesk serve` (and the Slack bot in HTTP mode) listens. */
  port?: string;
  /** SLACK_BOT_TOKEN (xoxb-...), SLACK_SIGNING_SECRET (HTTP mode), SLACK_APP_TOKEN (xapp-..., Socket Mode), SLACK_API_URL (Web API base URL). */
  slackBotToken?: string;
  slackSigningSecret?: string;
  slackAppToken?: string;
  slackApiUrl?: string;
  /** DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_CHANNELS (comma-separated ids), DISCORD_API_URL (REST base URL). */
  discordToken?: string;
  discordApplicationId?: string;
  discordChannels?: string;
  discordApiUrl?: string;
}

/**
 * A variable a config file names for a credential (`"tokenEnv": "SUPPORT_SLACK_TOKEN"`),
 * so secrets stay out of config files. Undefined when unset or blank.
 */
export function readEnvVariable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const pick = (name: string): string | undefined => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const config: EnvConfig = {};
  const indexDir = pick("LLAMADESK_INDEX");
  const embedder = pick("LLAMADESK_EMBEDDER");
  const embedderModel = pick("LLAMADESK_EMBEDDER_MODEL");
  if (indexDir) config.indexDir = indexDir;
  const databaseUrl = pick("LLAMADESK_DATABASE_URL");
  const knowledge = pick("LLAMADESK_KNOWLEDGE");
  if (databaseUrl) config.databaseUrl = databaseUrl;
  if (knowledge) config.knowledge = knowledge;
  if (embedder) config.embedder = embedder;
  if (embedderModel) config.embedderModel = embedderModel;
  const embedderUrl = pick("LLAMADESK_EMBEDDER_URL");
  const embedderKeyEnv = pick("LLAMADESK_EMBEDDER_KEY_ENV");
  if (embedderUrl) config.embedderUrl = embedderUrl;
  if (embedderKeyEnv) config.embedderKeyEnv = embedderKeyEnv;
  const embedWorkers = pick("LLAMADESK_EMBED_WORKERS");
  if (embedWorkers) config.embedWorkers = embedWorkers;
  const model = pick("LLAMADESK_MODEL");
  const configFile = pick("LLAMADESK_CONFIG");
  if (model) config.model = model;
  const modelName = pick("LLAMADESK_MODEL_NAME");
  const modelKeyEnv = pick("LLAMADESK_MODEL_KEY_ENV");
  if (modelName) config.modelName = modelName;
  if (modelKeyEnv) config.modelKeyEnv = modelKeyEnv;
  if (configFile) config.configFile = configFile;
  const editor = pick("VISUAL") ?? pick("EDITOR");
  if (editor) config.editor = editor;
  const packageManager = pick("npm_execpath");
  if (packageManager) config.packageManager = packageManager;
  const modelsDir = pick("LLAMADESK_MODELS_DIR");
  const huggingFaceEndpoint = pick("MODEL_ENDPOINT") ?? pick("HF_ENDPOINT");
  if (modelsDir) config.modelsDir = modelsDir;
  if (huggingFaceEndpoint) config.huggingFaceEndpoint = huggingFaceEndpoint;
  const named = {
    port: "PORT",
    slackBotToken: "SLACK_BOT_TOKEN",
    slackSigningSecret: "SLACK_SIGNING_SECRET",
    slackAppToken: "SLACK_APP_TOKEN",
    slackApiUrl: "SLACK_API_URL",
    discordToken: "DISCORD_TOKEN",
    discordApplicationId: "DISCORD_APPLICATION_ID",
    discordChannels: "DISCORD_CHANNELS",
    discordApiUrl: "DISCORD_API_URL",
  } as const;
  for (const [field, name] of Object.entries(named) as [keyof typeof named, string][]) {
    const value = pick(name);
    if (value) config[field] = value;
  }
  return config;
}

/** Where the llamadesk package is installed (holds prompts/ and the sample knowledge). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

// Works from src/ (tests) and from dist/src/ (the built bin) alike.
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "llamadesk") return dir;
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`llamadesk: cannot find the package root above ${start}`);
  }
}

/** The index directory used when neither --index nor LLAMADESK_INDEX says otherwise. */
export const DEFAULT_INDEX_DIR = "knowledge/index";

/** Where `llamadesk pull` saves models when neither --dir nor LLAMADESK_MODELS_DIR says otherwise (relative to the working directory). */
export const DEFAULT_MODELS_DIR = "models";

/**
 * The model `llamadesk pull` downloads by default: Llama 2 7B Chat, Q4_K_M (4.08 GB). Named by file rather
 * than by quant tag (`:Q4_K_M`) so that resolving it needs no manifest lookup: the URL follows from the URI.
 */
export const DEFAULT_MODEL_URI = "hf:TheBloke/Llama-2-7B-Chat-GGUF/llama-2-7b-chat.Q4_K_M.gguf";

/** Where `hf:` URIs resolve when no endpoint is configured. */
export const DEFAULT_HUGGING_FACE_ENDPOINT = "https://huggingface.co/";

/** The sample FAQ shipped with the package: the demo's knowledge. */
export const SAMPLE_SOURCES_DIR = resolve(packageRoot, "knowledge/sources");
export const SAMPLE_QUERIES_FILE = resolve(packageRoot, "knowledge/eval/sample-queries.jsonl");
/** Questions the demo answers, one per line (not in the labelled set, which stays for measuring). */
export const DEMO_QUESTIONS_FILE = resolve(packageRoot, "knowledge/demo-questions.txt");

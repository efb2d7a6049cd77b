import type { ConversationStore } from "../store/ConversationStore.js";
import { resolve } from "node:path";
import { createBot, type Bot } from "../bot.js";
import { readEnv, type EnvConfig } from "../config.js";
import { databaseOf, indexDirOf, loadConfigFile, storePathOf, type LlamadeskConfig } from "../configFile.js";
import { isLlamadeskError, LlamadeskError } from "../errors.js";
import { createEmbedder, type EmbedderConfig } from "../knowledge/createEmbedder.js";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import type { ChatModel } from "../model/ChatModel.js";
import { chatModelChoiceOf, createChatModel, type ChatModelChoice } from "../model/createChatModel.js";
import type { AnswerPolicyInput } from "../pipeline/AnswerPolicy.js";
import { loadPrompts } from "../prompts/loadPrompts.js";
import { openConversationStore, openDatabase } from "../openStateStores.js";
import type { Postgres } from "../postgres/Postgres.js";

export interface LocalBotOptions {
  /** Index directory. Defaults to the config file's `index`, then LLAMADESK_INDEX, then `knowledge/index`. */
  index?: string | undefined;
  /**
   * Chat model: a GGUF path or an `http(s)://…/v1` model server URL, or `false` for none. Defaults to the config
   * file's `model`, then LLAMADESK_MODEL, then none.
   */
  model?: string | false | undefined;
  /** The model's name on the server (`--model-name`). Defaults to the config's, else the first the server lists. */
  modelName?: string | undefined;
  /** The variable holding the server's API key (`--model-key-env`). Defaults to the config's `apiKeyEnv`, else none. */
  modelKeyEnv?: string | undefined;
  /** Config file. Defaults to LLAMADESK_CONFIG, then `./llamadesk.config.json` if it exists. */
  configFile?: string | undefined;
  /** Conversation store (SQLite file, or ":memory:"). Defaults to the config file's `store`, then `conversations.sqlite` beside the index. */
  store?: string | undefined;
  /**
   * PostgreSQL for the knowledge and the conversations instead of the index directory and the SQLite file:
   * a URL (opened here, closed with the bot) or a database already open (left open). Defaults to the config
   * file's `database`, then LLAMADESK_DATABASE_URL, then none.
   */
  database?: string | Postgres | undefined;
  /** The knowledge base's name in the database. Defaults to the config file's `knowledge`, then LLAMADESK_KNOWLEDGE, then "default". */
  knowledge?: string | undefined;
  /** Policy fields that win over the config file's `policy`. */
  policy?: AnswerPolicyInput | undefined;
  /** Embedder. Defaults to the config file's, then LLAMADESK_EMBEDDER, then `use-lite`. */
  embedder?: string | undefined;
  embedderModel?: string | undefined;
  /** With embedder "openai": the server's URL and the variable holding its key. Default to the config file's, then LLAMADESK_EMBEDDER_URL / LLAMADESK_EMBEDDER_KEY_ENV. */
  embedderUrl?: string | undefined;
  embedderKeyEnv?: string | undefined;
  /** Worker threads that embed with "use-lite"; 1 embeds in this thread. Defaults to the config file's `embedWorkers`, then LLAMADESK_EMBED_WORKERS, then one per core. */
  embedWorkers?: number | undefined;
  /**
   * Knowledge already open, with its embedder, instead of opening `index` (e.g. just after an ingest).
   * The bot owns them once created; if creating it fails, they stay the caller's. Defaults to opening.
   */
  open?: { store: KnowledgeStore; embedder: Embedder } | undefined;
  /**
   * Called with the bot's knowledge, embedder and conversation store once they are open, for a part of the same
   * process that reads them too (the admin console). They stay the bot's: `bot.dispose()` closes them. Defaults to none.
   */
  onParts?: ((parts: { knowledge: KnowledgeStore; embedder: Embedder; store: ConversationStore }) => void) | undefined;
  /**
   * Answer from what `llamadesk sync` or `ingest` writes while the bot runs, without a restart (a
   * long-running bot: Slack, Discord, the web server). A number also sets how often the local index
   * directory is polled besides being watched, in ms; `false` never looks. Defaults to watching when
   * the knowledge is opened here.
   */
  reloadIndexEveryMs?: number | false | undefined;
  /** Told about each reload, or why one failed (the bot keeps answering from the index it has). Defaults to none. */
  onIndexReload?: ((event: { docs: number } | { error: Error }) => void) | undefined;
}

/**
 * The local preset: the bot a fresh install runs, built from flags, then the config file, then the environment.
 * With no chat model (none configured, or the file missing or broken) it still answers, extractively; a model that
 * was configured but could not load is reported once, as a `notice` event, with what to do.
 */
export async function createLocalBot(options: LocalBotOptions = {}): Promise<Bot> {
  const { config } = await loadConfigFile(options.configFile);
  const env = readEnv();
  const indexDir = indexDirOf(options.index, config);
  const choice = databaseOf({ ...(typeof options.database === "string" ? { database: options.database } : {}), knowledge: options.knowledge }, config);
  const given = typeof options.database === "object" ? options.database : undefined;
  const embedder = options.open?.embedder ?? (await createEmbedder(embedderConfig(options, config, env)));
  // One database for the knowledge and the conversations; closed with the bot when it was opened here.
  const postgres = given ?? (await openDatabase(choice.url).catch(async (error: unknown) => {
    if (!options.open) await embedder.dispose?.();
    throw error;
  }));
  const closeDatabase = async () => {
    if (postgres && !given) await postgres.close();
  };
  try {
    const every = options.reloadIndexEveryMs ?? (options.open ? false : undefined);
    const knowledge =
      options.open?.store ??
      (await openKnowledgeStore({ indexDir, embedder, database: postgres, knowledge: choice.knowledge, ...(every ? { pollMs: every } : {}) }));
    const prompts = await loadPrompts(config.prompts);
    const policy = { ...config.policy, ...options.policy, generation: { ...config.policy?.generation, ...options.policy?.generation } };
    const modelChoice = options.model === false ? undefined : chatModelChoiceOf({ model: options.model, modelName: options.modelName, modelKeyEnv: options.modelKeyEnv }, config, env);
    const { chatModel, problem } = modelChoice === undefined ? {} : await loadChatModel(modelChoice, config);
    const storePath = options.store ?? storePathOf(config, indexDir);
    const store = await openConversationStore({ path: storePath === ":memory:" ? storePath : resolve(storePath), postgres, knowledge: choice.knowledge }).catch(async (error) => {
      await chatModel?.dispose();
      if (!options.open) await knowledge.dispose();
      throw error;
    });
    const created = createBot({ knowledge, embedder, chatModel, chatModelProblem: problem, store, prompts, policy });
    options.onParts?.({ knowledge, embedder, store });
    const disposeBot = created.dispose.bind(created);
    const bot = postgres && !given ? Object.assign(created, { dispose: async () => (await disposeBot(), await closeDatabase()) }) : created;
    if (every !== false) {
      // Subscribing is what makes the store take in other processes' writes; the listener only reports them.
      knowledge.onChange((event) => options.onIndexReload?.("error" in event ? event : { docs: event.counts.docs }));
    }
    return bot;
  } catch (error) {
    if (!options.open) await embedder.dispose?.();
    await closeDatabase();
    throw error;
  }
}

/** The embedder: flag, then the config file, then the environment, then USE-lite. */
export function embedderConfig(
  options: Pick<LocalBotOptions, "embedder" | "embedderModel" | "embedderUrl" | "embedderKeyEnv" | "embedWorkers">,
  config: LlamadeskConfig,
  env: EnvConfig,
): EmbedderConfig {
  const kind = options.embedder ?? config.embedder ?? env.embedder ?? "use-lite";
  if (kind !== "use-lite" && kind !== "gguf" && kind !== "openai") throw new LlamadeskError("INVALID_OPTION", `embedder must be "use-lite", "gguf" or "openai" (got "${kind}").`);
  const modelPath = options.embedderModel ?? config.embedderModel ?? env.embedderModel;
  if (kind === "openai") {
    const url = options.embedderUrl ?? config.embedderUrl ?? env.embedderUrl;
    const apiKeyEnv = options.embedderKeyEnv ?? config.embedderKeyEnv ?? env.embedderKeyEnv;
    return { kind, ...(url ? { url } : {}), ...(modelPath ? { model: modelPath } : {}), ...(apiKeyEnv ? { apiKeyEnv } : {}) };
  }
  const workers = options.embedWorkers ?? config.embedWorkers ?? embedWorkersOf(env);
  return { kind, ...(modelPath ? { modelPath: resolve(modelPath) } : {}), ...(workers !== undefined ? { workers } : {}) };
}

function embedWorkersOf(env: EnvConfig): number | undefined {
  if (env.embedWorkers === undefined) return undefined;
  if (!/^\d+$/.test(env.embedWorkers) || Number(env.embedWorkers) < 1) {
    throw new LlamadeskError("INVALID_OPTION", `LLAMADESK_EMBED_WORKERS must be a whole number of at least 1 (got "${env.embedWorkers}"); 1 embeds in the main thread.`);
  }
  return Number(env.embedWorkers);
}

/** Loads the chat model; a missing or broken file becomes the reason answers are extractive, not a failure. */
async function loadChatModel(choice: ChatModelChoice, config: LlamadeskConfig): Promise<{ chatModel?: ChatModel; problem?: LlamadeskError }> {
  try {
    return { chatModel: await createChatModel(choice, config) };
  } catch (error) {
    if (isLlamadeskError(error, "MODEL_NOT_FOUND") || isLlamadeskError(error, "MODEL_FAILED")) {
      const fix = "For generated answers, point --model, the config file's \"model\" or LLAMADESK_MODEL at a Llama 2-Chat GGUF (`llamadesk pull` downloads one) or at a model server's http(s)://…/v1 URL.";
      return { problem: new LlamadeskError(error.code, `${error.message.replace(/ Download a Llama 2-Chat GGUF.*$/, "")} ${fix}`, { cause: error }) };
    }
    throw error;
  }
}

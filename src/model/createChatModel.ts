import { resolve } from "node:path";
import { readEnv, readEnvVariable, type EnvConfig } from "../config.js";
import type { LlamadeskConfig, ModelServerSetting } from "../configFile.js";
import { LlamadeskError } from "../errors.js";
import type { ChatModel } from "./ChatModel.js";

/** Which chat model to run: a GGUF file run in this process, or a model on an OpenAI-compatible server. */
export type ChatModelChoice = { kind: "gguf"; path: string } | ({ kind: "server" } & ModelServerSetting);

/** What the command line says about the model (`--model`, `--model-name`, `--model-key-env`). */
export interface ChatModelFlags {
  /** A GGUF path or an `http(s)://…/v1` URL. */
  model?: string | undefined;
  /** The model's name on the server. */
  modelName?: string | undefined;
  /** The environment variable holding the server's API key. */
  modelKeyEnv?: string | undefined;
}

/** True for `http://…` and `https://…`: a model server rather than a file. */
export function isModelServerUrl(value: string): boolean {
  return /^https?:\/\//i.test(value.trim());
}

/**
 * The chat model chosen by the flags, else the config file's `model`, else LLAMADESK_MODEL (with LLAMADESK_MODEL_NAME
 * and LLAMADESK_MODEL_KEY_ENV); `--model-name`/`--model-key-env` alone refine a server chosen elsewhere. Undefined: none.
 */
export function chatModelChoiceOf(flags: ChatModelFlags, config: Pick<LlamadeskConfig, "model">, env: EnvConfig = readEnv()): ChatModelChoice | undefined {
  const setting = flags.model ?? config.model ?? env.model;
  if (setting === undefined) return undefined;
  if (typeof setting === "string" && !isModelServerUrl(setting)) {
    if (flags.modelName !== undefined || flags.modelKeyEnv !== undefined) {
      throw new LlamadeskError("INVALID_OPTION", `--model-name and --model-key-env are for a model server, but the model is the file ${setting}. Pass --model http(s)://host:port/v1 with them, or leave them out.`);
    }
    return { kind: "gguf", path: resolve(setting) };
  }
  const fromEnv = setting === env.model ? { name: env.modelName, apiKeyEnv: env.modelKeyEnv } : {};
  const server: ModelServerSetting = typeof setting === "string" ? { url: setting.trim(), ...withoutUndefined(fromEnv) } : { ...setting };
  if (flags.modelName !== undefined) server.name = flags.modelName;
  if (flags.modelKeyEnv !== undefined) server.apiKeyEnv = flags.modelKeyEnv;
  return { kind: "server", ...server };
}

/**
 * The one place a chat model is built: a GGUF through node-llama-cpp (loaded only then), with the config file's
 * format, context size, threads, sequences and LoRA; or an `OpenAiChatModel` on the server, its key read from the
 * variable named (never from the config file).
 */
export async function createChatModel(
  choice: ChatModelChoice,
  config: Pick<LlamadeskConfig, "modelFormat" | "contextSize" | "threads" | "sequences" | "lora"> = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChatModel> {
  if (choice.kind === "gguf") {
    const { LlamaChatModel } = await import("./LlamaChatModel.js");
    return LlamaChatModel.create({
      modelPath: choice.path,
      ...(config.modelFormat ? { format: config.modelFormat } : {}),
      ...(config.contextSize ? { contextSize: config.contextSize } : {}),
      ...(config.threads ? { threads: config.threads } : {}),
      ...(config.sequences ? { sequences: config.sequences } : {}),
      ...(config.lora ? { loraPath: config.lora } : {}),
    });
  }
  if (!isModelServerUrl(choice.url)) {
    throw new LlamadeskError("INVALID_OPTION", `The model server URL ${JSON.stringify(choice.url)} must start with http:// or https:// and end in /v1 (e.g. http://127.0.0.1:8000/v1).`);
  }
  const apiKey = choice.apiKeyEnv === undefined ? undefined : readEnvVariable(choice.apiKeyEnv, env);
  if (choice.apiKeyEnv !== undefined && apiKey === undefined) {
    throw new LlamadeskError("MODEL_AUTH_FAILED", `The model server's API key should be in the environment variable ${choice.apiKeyEnv}, which is not set. Set it (export ${choice.apiKeyEnv}=...), or name another with --model-key-env / apiKeyEnv.`);
  }
  const { OpenAiChatModel } = await import("./OpenAiChatModel.js");
  return new OpenAiChatModel({
    baseUrl: choice.url,
    model: choice.name,
    apiKey,
    apiKeyEnv: choice.apiKeyEnv,
    apiKeyHeader: choice.apiKeyHeader,
    headers: choice.headers,
    query: choice.query,
    timeoutMs: choice.timeoutMs,
    maxRetries: choice.maxRetries,
  });
}

/** How a chosen model reads in messages: the file, or the server and model name. */
export function describeChatModelChoice(choice: ChatModelChoice): string {
  return choice.kind === "gguf" ? choice.path : `${choice.name ?? "the first model"} at ${choice.url}`;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

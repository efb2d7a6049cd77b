import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../src/config.js";
import { loadConfigFile } from "../../src/configFile.js";
import { isLlamadeskError } from "../../src/errors.js";
import { chatModelChoiceOf, createChatModel } from "../../src/model/createChatModel.js";
import { OpenAiChatModel } from "../../src/model/OpenAiChatModel.js";

describe("choosing the chat model: --model PATH or URL, the config file's model, LLAMADESK_MODEL", () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "llamadesk-model-choice-"))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("a path is a GGUF; an http(s) URL is a server, refined by --model-name and --model-key-env", () => {
    expect(chatModelChoiceOf({ model: "models/chat.gguf" }, {}, {})).toEqual({ kind: "gguf", path: resolve("models/chat.gguf") });
    expect(chatModelChoiceOf({ model: "http://gpu-box:8000/v1", modelName: "meta-llama/Llama-2-7b-chat-hf", modelKeyEnv: "VLLM_KEY" }, {}, {})).toEqual({
      kind: "server",
      url: "http://gpu-box:8000/v1",
      name: "meta-llama/Llama-2-7b-chat-hf",
      apiKeyEnv: "VLLM_KEY",
    });
    expect(chatModelChoiceOf({}, {}, {})).toBeUndefined();
  });

  it("the flag beats the config file, which beats the environment; the flags for a name and a key refine the config's server", () => {
    const config = { model: { url: "https://api.openai.com/v1", name: "gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY", headers: { "x-team": "support" } } };
    const env = readEnv({ LLAMADESK_MODEL: "http://127.0.0.1:11434/v1", LLAMADESK_MODEL_NAME: "llama2", LLAMADESK_MODEL_KEY_ENV: "OLLAMA_KEY" });
    expect(chatModelChoiceOf({ model: "/m/chat.gguf" }, config, env)).toEqual({ kind: "gguf", path: "/m/chat.gguf" });
    expect(chatModelChoiceOf({ modelName: "gpt-4o" }, config, env)).toEqual({ kind: "server", ...config.model, name: "gpt-4o" });
    expect(chatModelChoiceOf({}, {}, env)).toEqual({ kind: "server", url: "http://127.0.0.1:11434/v1", name: "llama2", apiKeyEnv: "OLLAMA_KEY" });
  });

  it("refuses --model-name with a GGUF file, naming both", () => {
    let error: unknown;
    try {
      chatModelChoiceOf({ model: "chat.gguf", modelName: "x" }, {}, {});
    } catch (e) {
      error = e;
    }
    expect(isLlamadeskError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toContain("--model-name");
  });

  it("reads the config file's model as a path (relative to the file) or as a server object, and reports a bad one by field", async () => {
    const file = join(dir, "llamadesk.config.json");
    await writeFile(file, JSON.stringify({ model: "models/chat.gguf" }));
    expect((await loadConfigFile(file)).config.model).toBe(join(dir, "models/chat.gguf"));
    await writeFile(file, JSON.stringify({ model: "http://gpu-box:8000/v1" }));
    expect((await loadConfigFile(file)).config.model).toBe("http://gpu-box:8000/v1");
    const azure = {
      url: "https://acme.openai.azure.com/openai/deployments/support-gpt4o/",
      apiKeyEnv: "AZURE_OPENAI_API_KEY",
      apiKeyHeader: "api-key",
      query: { "api-version": "2024-10-21" },
      timeoutMs: 30000,
      maxRetries: 5,
    };
    await writeFile(file, JSON.stringify({ model: azure }));
    expect((await loadConfigFile(file)).config.model).toEqual(azure);
    await writeFile(file, JSON.stringify({ model: { url: "http://x/v1", apiKey: "sk-secret" } }));
    await expect(loadConfigFile(file)).rejects.toSatisfy((e: unknown) => isLlamadeskError(e, "CONFIG_INVALID") && /apiKey/.test((e as Error).message));
    await writeFile(file, JSON.stringify({ model: { url: "http://x/v1", apiKeyEnv: "sk-123abc secret" } }));
    await expect(loadConfigFile(file)).rejects.toSatisfy((e: unknown) => isLlamadeskError(e, "CONFIG_INVALID") && /never goes in the file/.test((e as Error).message));
  });

  it("the factory builds an OpenAiChatModel for a server without contacting it, and refuses a URL that is not http(s)", async () => {
    const model = await createChatModel({ kind: "server", url: "http://127.0.0.1:9/v1", name: "m" }, {}, {});
    expect(model).toBeInstanceOf(OpenAiChatModel);
    expect(model.id).toBe("openai:127.0.0.1:9/v1:m");
    await expect(createChatModel({ kind: "server", url: "ftp://x/v1" }, {}, {})).rejects.toSatisfy((e: unknown) => isLlamadeskError(e, "INVALID_OPTION"));
  });
});

import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";
import { CLI, runCli } from "../support/runCli.js";

// The built CLI answering through a model on an OpenAI-compatible server (a loopback one that needs a key).
describe("llamadesk ask / demo with the model on a server (built bin)", () => {
  const answer = "Yes: open Preferences, then Network, and set an upload limit [1].";
  let work: string;
  let indexDir: string;
  let server: OpenAiCompatibleServer;
  const env = { SUPPORT_LLM_KEY: "sk-test-key", LLAMADESK_MODEL: "" };
  const question = "Can I limit how much bandwidth the desktop app uses?";
  const ask = async (args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) => {
    const result = await runCli(["ask", question, "--index", indexDir, "--mode", "generative", "--json", ...args], { cwd: work, ...options, env: { ...env, ...options.env } });
    return { ...result, json: result.code === 0 ? (JSON.parse(result.stdout) as { answer: string; mode: string; notices: string[] }) : undefined };
  };
  const chatRequests = () => server.requests.filter((r) => r.url.startsWith("/v1/chat/completions"));

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-ask-server-"));
    indexDir = join(work, "knowledge", "index");
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"], { cwd: work });
    expect(ingest.code, ingest.stderr).toBe(0);
    server = await startOpenAiCompatibleServer({ chatModel: new FakeChatModel({ answers: [answer] }), apiKey: "sk-test-key", models: ["llama-2-7b-chat", "other"] });
  });
  afterAll(async () => {
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => void (server.requests.length = 0));

  it("--model URL --model-key-env: the answer is generated on the server, streamed through the pipeline, with the key sent", async () => {
    const { json, code, stderr } = await ask(["--model", server.url, "--model-key-env", "SUPPORT_LLM_KEY"]);
    expect(code, stderr).toBe(0);
    expect(json!.mode).toBe("generative");
    expect(json!.answer).toContain("open Preferences, then Network, and set an upload limit");
    const [request] = chatRequests();
    expect(request!.headers.authorization).toBe("Bearer sk-test-key");
    expect(request!.body!.model).toBe("llama-2-7b-chat");
    // The pipeline's prompt: the system message with the passages, then the question.
    const messages = request!.body!.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe("system");
    expect(messages.at(-1)).toMatchObject({ role: "user" });
    expect(JSON.stringify(messages)).toMatch(/[Uu]pload/);
  });

  it("--model-name picks the model; the config file's { url, name, apiKeyEnv } and LLAMADESK_MODEL work the same", async () => {
    expect((await ask(["--model", server.url, "--model-name", "other", "--model-key-env", "SUPPORT_LLM_KEY"])).code).toBe(0);
    expect(chatRequests().at(-1)!.body!.model).toBe("other");

    const dir = await mkdtemp(join(work, "cfg-"));
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: indexDir, model: { url: server.url, name: "other", apiKeyEnv: "SUPPORT_LLM_KEY" } }));
    const fromConfig = await ask([], { cwd: dir });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(fromConfig.json!.mode).toBe("generative");

    const fromEnv = await ask([], { env: { LLAMADESK_MODEL: server.url, LLAMADESK_MODEL_KEY_ENV: "SUPPORT_LLM_KEY" } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(chatRequests().map((r) => r.body!.model)).toEqual(["other", "other", "llama-2-7b-chat"]);
  });

  it("a wrong key or a server that is down is a coded error saying what to check, not a stack trace", async () => {
    const wrong = await ask(["--model", server.url, "--model-key-env", "OTHER_KEY"], { env: { OTHER_KEY: "sk-wrong" } });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).toMatch(/MODEL_AUTH_FAILED/);
    expect(wrong.stdout + wrong.stderr).toContain("OTHER_KEY");
    const unset = await ask(["--model", server.url, "--model-key-env", "NOT_SET_ANYWHERE"]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/MODEL_AUTH_FAILED.*NOT_SET_ANYWHERE, which is not set/);
    const down = await ask(["--model", "http://127.0.0.1:9/v1", "--model-name", "m"]);
    expect(down.code).toBe(1);
    expect(down.stdout + down.stderr).toMatch(/MODEL_UNREACHABLE/);
    expect(down.stdout + down.stderr).not.toMatch(/\n\s+at /);
  });

  it("demo answers its sample questions through the server", async () => {
    const demo = await runCli(["demo", "--index", join(work, "demo-index"), "--questions", "2", "--model", server.url, "--model-key-env", "SUPPORT_LLM_KEY"], { cwd: work, env });
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain("openai:");
  });
});

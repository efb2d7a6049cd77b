import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { CLI, runCli } from "../support/runCli.js";

interface AskJson {
  conversationId: string;
  answer: string;
  mode: string | null;
  abstained: boolean;
  handoff: boolean;
  sources: { id: string; title: string; source: string; score: number }[];
  timing: { retrievalMs: number; timeToFirstTokenMs: number | null; tokens: number; tokensPerSecond: number | null } | null;
  notices: string[];
}

// The real CLI on the sample knowledge, with no model, a generated tiny Llama 2 GGUF, and broken model files.
describe("llamadesk ask / chat / demo (built bin)", () => {
  let work: string;
  let indexDir: string;
  let modelPath: string;
  const ask = async (args: string[], options: Parameters<typeof runCli>[1] = {}) => {
    const result = await runCli(["ask", ...args, "--index", indexDir, "--json"], { cwd: work, ...options });
    expect(result.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    expect(result.code, result.stderr).toBe(0);
    return { json: JSON.parse(result.stdout) as AskJson, stderr: result.stderr };
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-ask-"));
    indexDir = join(work, "knowledge", "index");
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"], { cwd: work });
    expect(ingest.code, ingest.stderr).toBe(0);
    // A 2,048-token context, so the prompt with four sources fits (the default tiny model has 512).
    modelPath = await writeTinyLlamaGguf({ path: join(work, "tiny.gguf"), contextLength: 2048 });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("without a model: a clear FAQ match is answered verbatim with its source, in the documented JSON shape", async () => {
    const { json, stderr } = await ask(["Is my data encrypted?"]);
    expect(json).toMatchObject({ mode: "extractive", abstained: false, handoff: false });
    expect(json.answer.length).toBeGreaterThan(20);
    expect(json.sources[0]).toEqual(expect.objectContaining({ id: expect.any(String), title: "Is my data encrypted?", source: expect.stringMatching(/:\d+$|^https:/), score: expect.any(Number) }));
    expect(json.timing).toEqual(expect.objectContaining({ retrievalMs: expect.any(Number), tokens: 0 }));
    // No model configured is the normal first run, not something to warn about.
    expect(stderr).not.toContain("note:");
  });

  it("abstains on an out-of-domain question and hands off when asked for a person", async () => {
    const outOfDomain = await ask(["What mortgage rates do you offer?"]);
    expect(outOfDomain.json).toMatchObject({ abstained: true, mode: null, handoff: false });
    expect(outOfDomain.json.answer).toMatch(/couldn't find/);
    const human = await ask(["I want to talk to a human"]);
    expect(human.json).toMatchObject({ handoff: true, abstained: false, sources: [] });
  });

  it("streams a generated answer with the tiny model, limited by --max-tokens, then the sources", async () => {
    const { json } = await ask(["Can I limit how much bandwidth the desktop app uses?", "--model", modelPath, "--mode", "generative", "--max-tokens", "12"]);
    expect(json.mode).toBe("generative");
    expect(json.timing!.tokens).toBeGreaterThan(0);
    expect(json.timing!.tokens).toBeLessThanOrEqual(12);
    expect(json.timing!.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(json.sources.length).toBeGreaterThan(0);
    const text = await runCli(["ask", "Can I limit how much bandwidth the desktop app uses?", "--index", indexDir, "--model", modelPath, "--mode", "generative", "--max-tokens", "8"], { cwd: work });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\n\nSources:\n {2}\[1\] .+ — \S+/);
  });

  it("a missing or corrupt model: says so once, with the path, and answers extractively", async () => {
    const missing = await ask(["Is my data encrypted?", "--model", join(work, "nope.gguf")]);
    expect(missing.json.mode).toBe("extractive");
    expect(missing.json.notices).toEqual([expect.stringMatching(/nope\.gguf/)]);
    const corrupt = join(work, "corrupt.gguf");
    await writeFile(corrupt, Buffer.alloc(4096, 7));
    const broken = await ask(["Is my data encrypted?", "--model", corrupt]);
    expect(broken.json.mode).toBe("extractive");
    expect(broken.json.notices).toEqual([expect.stringMatching(/corrupt\.gguf.*(re-download|complete GGUF)/)]);
    const plain = await runCli(["ask", "Is my data encrypted?", "--index", indexDir, "--model", corrupt], { cwd: work });
    expect(plain.stderr.match(/note: /g)).toHaveLength(1);
  });

  it("model location: --model, then the config file, then LLAMADESK_MODEL", async () => {
    const dir = await mkdtemp(join(work, "cfg-"));
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: indexDir, model: "missing-from-config.gguf", policy: { product: "Tidepool" } }));
    const env = { LLAMADESK_MODEL: join(work, "missing-from-env.gguf") };
    const run = async (args: string[]) => {
      const r = await runCli(["ask", "Is my data encrypted?", "--json", ...args], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as AskJson;
    };
    expect((await run([])).notices[0]).toContain("missing-from-config.gguf");
    expect((await run(["--model", join(work, "missing-from-flag.gguf")])).notices[0]).toContain("missing-from-flag.gguf");
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: indexDir }));
    expect((await run([])).notices[0]).toContain("missing-from-env.gguf");
    // The config's product name reaches the prompts.
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: indexDir, policy: { product: "Tidepool" } }));
    expect((await run(["--model", join(work, "x.gguf")])).notices).toHaveLength(1);
    const abstained = await runCli(["ask", "What mortgage rates do you offer?", "--json"], { cwd: dir, env: { LLAMADESK_MODEL: "" } });
    expect(JSON.parse(abstained.stdout).answer).toContain("Tidepool");
  });

  it("a bad config file or option is a clear error naming the field", async () => {
    const dir = await mkdtemp(join(work, "bad-"));
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: indexDir, policy: { minConfidence: "high" } }));
    const bad = await runCli(["ask", "hello"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/policy\.minConfidence/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    await writeFile(join(dir, "llamadesk.config.json"), "{ not json");
    expect((await runCli(["ask", "hello"], { cwd: dir })).stderr).toMatch(/CONFIG_INVALID.*llamadesk\.config\.json is not valid JSON/);
    const mode = await runCli(["ask", "hello", "--index", indexDir, "--mode", "creative"], { cwd: work });
    expect(mode.code).toBe(1);
    expect(mode.stderr).toMatch(/--mode.*creative/);
  });

  it("--conversation continues a conversation, stored beside the index", async () => {
    const first = await ask(["Is my data encrypted?"]);
    await ask(["What mortgage rates do you offer?", "--conversation", first.json.conversationId]);
    // A second miss in a row hands off: the answer shown is both messages, and so is the stored turn.
    const third = await ask(["Can I get a mortgage?", "--conversation", first.json.conversationId]);
    expect(third.json).toMatchObject({ abstained: true, handoff: true });
    const store = await SqliteConversationStore.open({ path: join(work, "knowledge", "conversations.sqlite") });
    try {
      const turns = await store.history(first.json.conversationId);
      expect(turns.map((t) => `${t.role}:${t.outcome ?? ""}`)).toEqual(["user:", "assistant:answered", "user:", "assistant:abstained", "user:", "assistant:handoff"]);
      expect(turns.at(-1)!.text).toBe(third.json.answer);
      expect(third.json.answer).toMatch(/couldn't find an answer[^]*\n\nSure: I'm connecting you/);
    } finally {
      await store.dispose();
    }
  });

  it("chat: answers with memory, /sources, /reset, /quit", async () => {
    const input = "Is my data encrypted?\n/sources\nWhat mortgage rates do you offer?\n/sources\n/reset\n/bogus\nI want to talk to a human\n/quit\n";
    const { code, stdout, stderr } = await runCli(["chat", "--index", indexDir], { cwd: work, input });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/bot> .*encrypt/i);
    expect(stdout).toMatch(/Sources:\n {2}\[1\] Is my data encrypted\? — /);
    // What an abstention lists are the closest matches, not sources.
    expect(stdout).toMatch(/couldn't find an answer.*\n\(\d closest match(es)?: \/sources\)\n/);
    expect(stdout).toMatch(/Closest matches:\n {2}\[1\] /);
    expect(stdout).toContain("(new conversation)");
    expect(stdout).toContain("Unknown command /bogus");
    expect(stdout).toMatch(/connecting you with a person/);
  });
});

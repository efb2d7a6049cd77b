import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../../src/testing/startOpenAiCompatibleServer.js";
import { CLI, runCli } from "../support/runCli.js";

// The built CLI embedding on an OpenAI-compatible /v1/embeddings server (a loopback one).
describe("--embedder openai (built bin)", () => {
  let work: string;
  let indexDir: string;
  let server: OpenAiCompatibleServer;
  const flags = () => ["--embedder", "openai", "--embedder-url", server.url, "--embedder-model", "bge-small"];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-embed-server-"));
    indexDir = join(work, "index");
    server = await startOpenAiCompatibleServer({ chatModel: new FakeChatModel(), embedder: new FakeEmbedder({ dimensions: 48 }), models: ["bge-small", "bge-large"] });
  });
  afterAll(async () => {
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  it("ingests and searches through the server; another embedder is refused with EMBEDDER_MISMATCH", async () => {
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json", ...flags()], { cwd: work });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(server.requests.filter((r) => r.url === "/v1/embeddings").length).toBeGreaterThan(1);
    const search = await runCli(["search", "encrypted data", "--index", indexDir, "--json", ...flags()], { cwd: work });
    expect(search.code, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { results: unknown[] }).results.length).toBeGreaterThan(0);

    const otherModel = await runCli(["search", "encrypted data", "--index", indexDir, "--embedder", "openai", "--embedder-url", server.url, "--embedder-model", "bge-large"], { cwd: work });
    expect(otherModel.code).toBe(1);
    expect(otherModel.stderr).toMatch(/EMBEDDER_MISMATCH.*bge-small/);
    const useLite = await runCli(["search", "encrypted data", "--index", indexDir], { cwd: work });
    expect(useLite.code).toBe(1);
    expect(useLite.stderr).toContain("EMBEDDER_MISMATCH");
  });

  it("eval prints the answerability calibration for this embedder: answered, right declined and off-topic answered per minConfidence", async () => {
    const offTopic = join(work, "off-topic.txt");
    await writeFile(offTopic, "# questions the Tidepool FAQ cannot answer\nWhat mortgage rates do you offer?\nHow do I bake sourdough bread?\n{\"query\": \"Who won the football match yesterday?\"}\n");
    const config = join(work, "llamadesk.config.json");
    await writeFile(config, JSON.stringify({ embedder: "openai", embedderUrl: server.url, embedderModel: "bge-small", policy: { minConfidence: 0.62 } }));
    const text = await runCli(["eval", "--queries", SAMPLE_QUERIES_FILE, "--index", indexDir, "--off-topic", offTopic, "--config", config], { cwd: work });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Answerability calibration for openai:${new URL(server.url).host}/v1:bge-small:48`);
    expect(text.stdout).toContain("calibrated on use-lite");
    expect(text.stdout).toMatch(/minConfidence\s+answered\s+right declined\s+off-topic answered/);
    expect(text.stdout).toMatch(/0\.62\s+\d+\.\d%\s+\d+\.\d%\s+\d+\.\d% \(configured\)/);

    const json = await runCli(["eval", "--queries", SAMPLE_QUERIES_FILE, "--index", indexDir, "--off-topic", offTopic, "--config", config, "--json"], { cwd: work });
    expect(json.code, json.stderr).toBe(0);
    const { calibration } = JSON.parse(json.stdout) as {
      calibration: { embedder: string; minConfidence: number; rows: { minConfidence: number; answered: number; rightDeclined: number; offTopicAnswered: number }[]; offTopic: { p50: number } };
    };
    expect(calibration.minConfidence).toBe(0.62);
    expect(calibration.embedder).toContain("bge-small");
    // Raising the threshold never answers more.
    for (let i = 1; i < calibration.rows.length; i++) {
      expect(calibration.rows[i]!.answered).toBeLessThanOrEqual(calibration.rows[i - 1]!.answered);
      expect(calibration.rows[i]!.offTopicAnswered).toBeLessThanOrEqual(calibration.rows[i - 1]!.offTopicAnswered);
      expect(calibration.rows[i]!.rightDeclined).toBeGreaterThanOrEqual(calibration.rows[i - 1]!.rightDeclined);
    }
    expect(calibration.offTopic.p50).toBeGreaterThanOrEqual(0);
  });
});

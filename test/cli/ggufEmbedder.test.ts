import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { runCli } from "../support/runCli.js";

// The second embedder end to end through the built bin: node-llama-cpp on a generated GGUF.
describe("llamadesk CLI with --embedder gguf", () => {
  let work: string;
  let model: string;
  let indexDir: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-gguf-cli-"));
    model = await writeTinyLlamaGguf({ path: join(work, "tiny.gguf"), contextLength: 256 });
    indexDir = join(work, "index");
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("ingests and searches with a GGUF embedding model, and the manifest records it", async () => {
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--embedder", "gguf", "--embedder-model", model, "--json"]);
    expect(ingest.code).toBe(0);
    const summary = JSON.parse(ingest.stdout);
    expect(summary.added).toBeGreaterThanOrEqual(40);

    const search = await runCli(["search", "refund", "--index", indexDir, "--json", "--k", "2"], {
      env: { LLAMADESK_EMBEDDER: "gguf", LLAMADESK_EMBEDDER_MODEL: model },
    });
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results).toHaveLength(2);
  });

  it("refuses to search that index with the default embedder", async () => {
    const { code, stderr } = await runCli(["search", "refund", "--index", indexDir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/\[EMBEDDER_MISMATCH\]: The index in .+ was built with embedder "gguf:.+" \(64-d\), but "use-lite-512" \(512-d\)/);
  });

  it("names the missing model file", async () => {
    const { code, stderr } = await runCli(["search", "refund", "--index", indexDir, "--embedder", "gguf", "--embedder-model", join(work, "nope.gguf")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/\[MODEL_NOT_FOUND\].*nope\.gguf/);
    const noPath = await runCli(["search", "refund", "--index", indexDir, "--embedder", "gguf"]);
    expect(noPath.stderr).toContain("--embedder-model PATH");
  });
});

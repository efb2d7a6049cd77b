import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { runCli } from "../support/runCli.js";

interface SearchResult {
  id: string;
  score: number;
}

// The built bin with its embedding worker threads (dist/src/knowledge/pool/embedWorker.js).
describe("llamadesk --embed-workers", () => {
  let work: string;
  const search = async (indexDir: string, workers: string) => {
    const { code, stdout, stderr } = await runCli(["search", "why is sync slow", "--index", indexDir, "--embed-workers", workers, "--json", "--k", "5"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    return (JSON.parse(stdout) as { results: SearchResult[] }).results;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-embed-workers-"));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("ingests in worker threads into the same index the main thread builds", async () => {
    const ingest = async (dir: string, workers: string) => {
      const { code, stdout } = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", join(work, dir), "--embed-workers", workers, "--json"]);
      expect(code).toBe(0);
      return JSON.parse(stdout) as { added: number; chunksEmbedded: number };
    };
    const pooled = await ingest("pooled", "2");
    const single = await ingest("single", "1");
    expect(pooled.added).toBeGreaterThanOrEqual(40);
    expect(pooled.chunksEmbedded).toBe(single.chunksEmbedded);

    // Either index answers with either setting (one embedder id), and the scores agree.
    const fromPooled = await search(join(work, "pooled"), "1");
    const fromSingle = await search(join(work, "single"), "2");
    expect(fromPooled.map((r) => r.id)).toEqual(fromSingle.map((r) => r.id));
    fromPooled.forEach((r, i) => expect(r.score).toBeCloseTo(fromSingle[i]!.score, 6));
  }, 300_000);

  it("takes embedWorkers from the config file and LLAMADESK_EMBED_WORKERS, and names a wrong value", async () => {
    const config = join(work, "llamadesk.config.json");
    await writeFile(config, JSON.stringify({ index: join(work, "pooled"), embedWorkers: 2 }));
    const fromConfig = await runCli(["search", "refund", "--config", config, "--json"]);
    expect(fromConfig.code).toBe(0);
    expect(JSON.parse(fromConfig.stdout).results.length).toBeGreaterThan(0);

    await writeFile(config, JSON.stringify({ index: join(work, "pooled"), embedWorkers: 0 }));
    const badConfig = await runCli(["search", "refund", "--config", config]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toMatch(/\[CONFIG_INVALID\].*embedWorkers/);

    const badEnv = await runCli(["search", "refund", "--index", join(work, "pooled")], { env: { LLAMADESK_EMBED_WORKERS: "many" } });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain('[INVALID_OPTION]: LLAMADESK_EMBED_WORKERS must be a whole number of at least 1 (got "many")');

    const badFlag = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", join(work, "pooled"), "--embed-workers", "0"]);
    expect(badFlag.code).not.toBe(0);
    expect(badFlag.stderr).toContain("--embed-workers must be a whole number of at least 1");
  }, 180_000);

  it("is offered by every command that embeds", async () => {
    for (const command of ["ingest", "sync", "search", "ask", "chat", "serve", "slack", "discord", "eval", "demo"]) {
      const { stdout } = await runCli([command, "--help"]);
      expect(stdout, command).toContain("--embed-workers <n>");
    }
  }, 180_000);
});

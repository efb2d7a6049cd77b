import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../support/runCli.js";

const FAQ = "## Is my data encrypted?\n\nYes: in transit with TLS and at rest with AES-256.\n\n## How do I get a refund?\n\nOpen Billing and click Request refund within 14 days.\n";

// One order for every command: --index, then the config file's "index", then LLAMADESK_INDEX, then knowledge/index.
describe("the config file's index, for every command (built bin)", () => {
  let project: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: project, env });

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    project = await mkdtemp(join(tmpdir(), "llamadesk-config-index-"));
    await mkdir(join(project, "faq"));
    await writeFile(join(project, "faq", "faq.md"), FAQ);
    await writeFile(join(project, "queries.jsonl"), `${JSON.stringify({ query: "is my data encrypted", relevant: ["faq.md#is-my-data-encrypted"] })}\n`);
    await writeFile(join(project, "llamadesk.config.json"), JSON.stringify({ index: "myidx" }));
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("ingest writes the config's index, and ask, search and eval read it; the config beats LLAMADESK_INDEX", async () => {
    const ingest = await run(["ingest", "faq/", "--json"]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout).index).toBe(join(project, "myidx"));
    expect(existsSync(join(project, "knowledge"))).toBe(false);

    const elsewhere = { LLAMADESK_INDEX: join(project, "not-this-one") };
    const ask = await run(["ask", "Is my data encrypted?", "--json"], elsewhere);
    expect(ask.code, ask.stderr).toBe(0);
    expect(JSON.parse(ask.stdout).sources[0].id).toBe("faq.md#is-my-data-encrypted");
    const search = await run(["search", "refund", "--json", "--k", "1"], elsewhere);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).results[0].id).toBe("faq.md#how-do-i-get-a-refund");
    const evaluated = await run(["eval", "--queries", "queries.jsonl", "--json"], elsewhere);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).recall_at_1).toBe(1);
  });

  it("--index beats the config file, and --config names another one", async () => {
    const flag = await run(["search", "refund", "--index", join(project, "empty")]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain(`[INDEX_NOT_FOUND]: No llamadesk index in ${join(project, "empty")}`);
    await writeFile(join(project, "other.config.json"), JSON.stringify({ index: "other-index" }));
    const other = await run(["search", "refund", "--config", "other.config.json"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`No llamadesk index in ${join(project, "other-index")}`);
  });

  it("the config file's embedder counts too (ingest, search and eval use the one ask uses)", async () => {
    await writeFile(join(project, "gguf.config.json"), JSON.stringify({ index: "myidx", embedder: "gguf" }));
    for (const args of [["ingest", "faq/"], ["search", "refund"], ["eval", "--queries", "queries.jsonl"]]) {
      const result = await run([...args, "--config", "gguf.config.json"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("The gguf embedder needs a model file");
    }
  });
});

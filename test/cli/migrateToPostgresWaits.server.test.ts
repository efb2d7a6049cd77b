import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { requireRealServer, useTestDatabase } from "../support/postgres/testDatabase.js";
import { CLI, runCli, startCli } from "../support/runCli.js";

// The writer lock on PostgreSQL is an advisory lock: it excludes only across real sessions, which PGlite has not.
requireRealServer();
const database = useTestDatabase();

describe("migrate-to-postgres and the knowledge base's writer lock (built bin, real server)", () => {
  let work: string;
  let indexDir: string;
  const cli = (args: string[]) => runCli(args, { cwd: work, env: { LLAMADESK_DATABASE_URL: "", LLAMADESK_KNOWLEDGE: "" } });

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-migrate-lock-"));
    indexDir = join(work, "index");
    const built = await cli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"]);
    expect(built.code, built.stderr).toBe(0);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("while a sync writes the target: --no-wait fails with INDEX_LOCKED naming it; otherwise it waits, then copies everything", async () => {
    const { url } = await database.database();
    const knowledge = database.knowledge();
    // A sync on another machine holds the knowledge base's writer lock.
    const target = await PostgresKnowledgeStore.open({ postgres: await database.postgres(), knowledge, embedder: { id: "use-lite-512", dimensions: 512 }, create: true });
    const lock = await target.acquireWriter({ command: "llamadesk sync" });
    try {
      const refused = await cli(["migrate-to-postgres", "--database", url, "--knowledge", knowledge, "--index", indexDir, "--no-wait"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/INDEX_LOCKED/);
      expect(refused.stderr).toContain("llamadesk sync");
      expect((await target.counts()).docs).toBe(0);

      const waiting = startCli(["migrate-to-postgres", "--database", url, "--knowledge", knowledge, "--index", indexDir, "--json"], { cwd: work, env: { LLAMADESK_DATABASE_URL: "" } });
      await waiting.stderrIncludes("Waiting for llamadesk sync");
      expect((await target.counts()).docs).toBe(0);
      await lock.release();
      const done = await waiting.done;
      expect(done.code, done.stderr).toBe(0);
      const summary = JSON.parse(done.stdout) as { index: { docs: number; copied: number } };
      expect(summary.index.copied).toBe(summary.index.docs);
      expect((await target.counts()).docs).toBe(summary.index.docs);
    } finally {
      await lock.release();
      await target.dispose();
    }
  });
});

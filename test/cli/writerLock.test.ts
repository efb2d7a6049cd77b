import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readIndexManifest } from "../../src/knowledge/KnowledgeIndex.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { acquireWriterLock, WRITER_LOCK_FILE, type WriterLockHolder } from "../../src/knowledge/writerLock.js";
import { CLI, runCli, startCli, type RunningCli } from "../support/runCli.js";

const faqFile = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `# ${prefix} question number ${i + 1}?\n${prefix} answer number ${i + 1}.\n`).join("\n");

/**
 * Two writers overlap deterministically: the first reads one of its FAQ files from a named
 * pipe, so it holds the lock, blocked, until the test writes that file, which it does only once
 * the second writer has said it is waiting.
 */
describe.skipIf(process.platform === "win32")("one writer per index (built bin)", () => {
  let work: string;
  const running: RunningCli[] = [];
  const start = (...args: Parameters<typeof startCli>) => {
    const cli = startCli(...args);
    running.push(cli);
    return cli;
  };
  const pipe = (name: string) => {
    const path = join(work, name);
    execFileSync("mkfifo", [path]);
    return path;
  };
  /** The lock's holder once `writer` has taken it. */
  const lockTakenBy = async (indexDir: string, writer: RunningCli): Promise<WriterLockHolder> => {
    let exited = false;
    void writer.done.then(() => (exited = true));
    for (;;) {
      const text = await readFile(join(indexDir, WRITER_LOCK_FILE), "utf8").catch(() => "");
      if (text) {
        const holder = JSON.parse(text) as WriterLockHolder;
        if (holder.pid === writer.pid) return holder;
      }
      if (exited) throw new Error(`exited without taking the lock: ${(await writer.done).stderr}`);
      await sleep(20);
    }
  };
  const docIds = async (indexDir: string) => (await (await LocalKnowledgeStore.open({ dir: indexDir })).listDocs()).map((d) => d.id);

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-writers-"));
    for (const [folder, prefix] of [["faq-a", "Alpha"], ["faq-b", "Beta"]] as const) {
      await mkdir(join(work, folder));
      await writeFile(join(work, folder, `${prefix.toLowerCase()}.md`), faqFile(prefix, 33));
    }
  });
  afterEach(() => {
    for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("two ingests on one index: the second waits for the first, and the index keeps every doc of both", async () => {
    const indexDir = join(work, "two-ingests");
    const late = pipe("late.md");
    const first = start(["ingest", join(work, "faq-a"), late, "--index", indexDir, "--json"]);
    expect(await lockTakenBy(indexDir, first)).toMatchObject({ command: "llamadesk ingest" });

    const second = start(["ingest", join(work, "faq-b"), "--index", indexDir, "--json"]);
    await second.stderrIncludes(`Waiting for llamadesk ingest (pid ${first.pid}, started `);
    await writeFile(late, faqFile("Late", 4));

    const [one, two] = await Promise.all([first.done, second.done]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toContain(`to finish writing ${indexDir}... (--no-wait to fail at once)`);
    expect(JSON.parse(two.stdout)).toMatchObject({ added: 33, docs: 70 });
    const ids = await docIds(indexDir);
    expect(ids).toHaveLength(70);
    for (const [file, n] of [["alpha.md#", 33], ["late.md#", 4], ["beta.md#", 33]] as const) expect(ids.filter((id) => id.startsWith(file))).toHaveLength(n);
    expect(existsSync(join(indexDir, WRITER_LOCK_FILE))).toBe(false);
  }, 180_000);

  it("ingest while a sync writes: --no-wait fails with INDEX_LOCKED naming the sync, Ctrl-C stops waiting, a waiting ingest keeps both", async () => {
    const dir = join(work, "sync-and-ingest");
    await mkdir(dir);
    const indexDir = join(dir, "index");
    const late = pipe("sync-late.md");
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: "index", sources: [{ connector: "faq-files", paths: [late] }] }));
    const sync = start(["sync", "--no-mine", "--json"], { cwd: dir, env: { LLAMADESK_CONFIG: "" } });
    expect(await lockTakenBy(indexDir, sync)).toMatchObject({ command: "llamadesk sync" });

    const refused = await runCli(["ingest", join(work, "faq-a"), "--index", indexDir, "--no-wait"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error [INDEX_LOCKED]: llamadesk sync (pid ${sync.pid}, started `);
    expect(refused.stderr).toContain(`) is writing the index in ${indexDir}. `);
    expect(refused.stderr).toContain(`delete ${join(indexDir, WRITER_LOCK_FILE)}`);

    const stopped = start(["ingest", join(work, "faq-a"), "--index", indexDir]);
    await stopped.stderrIncludes(`Waiting for llamadesk sync (pid ${sync.pid}`);
    stopped.child.kill("SIGINT");
    const interrupted = await stopped.done;
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toContain(`error [ABORTED]: Stopped waiting for llamadesk sync (pid ${sync.pid}`);

    const ingest = start(["ingest", join(work, "faq-a"), "--index", indexDir, "--json"]);
    await ingest.stderrIncludes(`Waiting for llamadesk sync (pid ${sync.pid}`);
    await writeFile(late, faqFile("Synced", 5));
    const [synced, ingested] = await Promise.all([sync.done, ingest.done]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(ingested.code, ingested.stderr).toBe(0);
    const ids = await docIds(indexDir);
    expect(ids.filter((id) => id.startsWith("alpha.md#"))).toHaveLength(33);
    expect(ids.filter((id) => id.startsWith("sync-late.md#"))).toHaveLength(5);
  }, 180_000);

  it("sync --every --no-wait: a run that finds the index locked is skipped, and the schedule goes on", async () => {
    const dir = join(work, "every");
    await mkdir(dir);
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ index: "index", sources: [{ connector: "faq-files", paths: [join(work, "faq-b")] }] }));
    const other = await acquireWriterLock(join(dir, "index"), { command: "llamadesk ingest" });
    try {
      const sync = start(["sync", "--every", "10m", "--no-wait", "--no-mine"], { cwd: dir, env: { LLAMADESK_CONFIG: "" } });
      await sync.stderrIncludes("Next sync at");
      sync.child.kill("SIGINT");
      const result = await sync.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`error [INDEX_LOCKED]: llamadesk ingest (pid ${process.pid}, started `);
      expect(result.stderr).toContain("Trying again at the next run.");
      expect(await readIndexManifest(join(dir, "index"))).toBeUndefined();
    } finally {
      await other.release();
    }
  }, 120_000);
});

import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import type { DatabaseStatus } from "../../src/postgres/databaseStatus.js";
import { MIGRATIONS } from "../../src/postgres/migrations/index.js";
import { parsePostgresUrl } from "../../src/postgres/postgresTarget.js";
import { SqliteHandoffTicketStore } from "../../src/store/SqliteHandoffTicketStore.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres/testDatabase.js";
import { CLI, runCli, type CliResult } from "../support/runCli.js";

interface AskJson {
  conversationId: string;
  mode: string | null;
  sources: { id: string; title: string; source: string; score: number }[];
}

const QUESTION = "Is my data encrypted?";
const N = MIGRATIONS.length;

describe("llamadesk db migrate / db status / migrate-to-postgres (built bin)", () => {
  let work: string;
  let indexDir: string;
  let local: { docs: number; chunks: number };
  let localAnswer: AskJson;
  const cleanups: (() => Promise<void>)[] = [];
  /** The CLI in the work folder, with no database but what the arguments name. */
  const cli = (args: string[]) => runCli(args, { cwd: work, env: { LLAMADESK_DATABASE_URL: "", LLAMADESK_KNOWLEDGE: "" } });
  const ok = (result: CliResult) => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return result;
  };
  const fresh = async (): Promise<TestDatabase> => {
    const database = await createTestDatabase();
    cleanups.push(() => database.dispose());
    return database;
  };
  const status = async (url: string) => JSON.parse(ok(await cli(["db", "status", "--database", url, "--json"])).stdout) as DatabaseStatus;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-pg-cli-"));
    indexDir = join(work, "knowledge", "index");
    ok(await cli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"]));
    // A conversation (conversations.sqlite beside the index), a mined candidate and a ticket, where the commands look for them.
    localAnswer = JSON.parse(ok(await cli(["ask", QUESTION, "--index", indexDir, "--json"])).stdout) as AskJson;
    const queue = await SqliteReviewQueue.open({ path: join(work, "knowledge", "review.sqlite") });
    await queue.add({
      thread: { id: "slack:C1:1.0", platform: "slack", messages: [{ id: "1", author: "maya", role: "customer", text: "Can I pay yearly?" }] },
      question: "Can I pay yearly?",
      answer: "Yes, with two months free.",
      answerMessageIds: ["1"],
      signals: [],
      extractedBy: "rules",
    });
    await queue.dispose();
    const tickets = await SqliteHandoffTicketStore.open({ path: join(work, "knowledge", "handoff-tickets.sqlite") });
    await tickets.create({ conversationId: localAnswer.conversationId, name: "Maya", email: "maya@example.com", message: "Please call me" });
    await tickets.dispose();
    const store = await LocalKnowledgeStore.open({ dir: indexDir });
    local = await store.counts();
    await store.dispose();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.each(["db status", "db migrate", "migrate-to-postgres"])("llamadesk %s without a database: DATABASE_NOT_CONFIGURED, saying how to name one", async (command) => {
    const result = await cli(command.split(" "));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error \[DATABASE_NOT_CONFIGURED\]: [^\n]+\n$/);
    expect(result.stderr).toContain("--database postgresql://");
    expect(result.stderr).toContain('"database" in llamadesk.config.json');
    expect(result.stderr).toContain("LLAMADESK_DATABASE_URL");
  });

  it("db status reports a new database without migrating it; db migrate applies every step, then finds it up to date", async () => {
    const { url } = await fresh();
    const where = parsePostgresUrl(url).where;

    const text = ok(await cli(["db", "status", "--database", url]));
    expect(text.stdout).toBe(
      [
        `Database: ${where}`,
        `Schema:   none yet, this llamadesk's is ${N}: ${N} steps pending. \`llamadesk db migrate\` applies them (so does any other command on first use):`,
        ...MIGRATIONS.map((step) => `            ${step.version}  ${step.name}`),
        "",
        "Knowledge bases: none yet. Build one with `llamadesk ingest <your FAQ files> --database <url>`, or copy a local index with `llamadesk migrate-to-postgres --database <url>`.",
        "",
      ].join("\n"),
    );
    expect(text.stderr).toBe("");
    // Still untouched: status again says the same.
    expect((await status(url)).schema).toEqual({ version: 0, latest: N, pending: MIGRATIONS.map(({ version, name }) => ({ version, name })), newer: false });

    const migrated = ok(await cli(["db", "migrate", "--database", url]));
    expect(migrated.stdout).toBe([...MIGRATIONS.map((s) => `Applied llamadesk schema version ${s.version}: ${s.name}.`), `PostgreSQL ${where} is now at llamadesk schema version ${N}.`, ""].join("\n"));
    expect(migrated.stderr).toBe(MIGRATIONS.map((s) => `postgres: Migrating the PostgreSQL database ${where} to llamadesk schema version ${s.version} of ${N}: ${s.name}.\n`).join(""));

    expect(ok(await cli(["db", "migrate", "--database", url]))).toEqual({ code: 0, stdout: `PostgreSQL ${where} is up to date at llamadesk schema version ${N}.\n`, stderr: "" });
    expect(JSON.parse(ok(await cli(["db", "migrate", "--database", url, "--json"])).stdout)).toEqual({ database: where, applied: [], version: N });
    expect(ok(await cli(["db", "status", "--database", url])).stdout).toContain(`Schema:   version ${N}, up to date.\n`);
  });

  it("migrate-to-postgres copies the index without embedding, and the conversations, queue and tickets; ask --database then answers with the same sources; a rerun copies nothing", async () => {
    const { url } = await fresh();
    const where = parsePostgresUrl(url).where;

    const first = ok(await cli(["migrate-to-postgres", "--database", url, "--index", indexDir, "--json"]));
    // First use of the database: migrated automatically, saying so.
    expect(first.stderr).toContain(`postgres: Migrating the PostgreSQL database ${where} to llamadesk schema version 1 of ${N}: ${MIGRATIONS[0]!.name}.\n`);
    expect(first.stderr).toContain(`knowledge: ${local.docs}/${local.docs} docs`);
    const knowledgeDir = join(work, "knowledge");
    expect(JSON.parse(first.stdout)).toEqual({
      database: where,
      knowledge: "default",
      index: { path: indexDir, docs: local.docs, chunks: local.chunks, copied: local.docs, alreadyThere: 0, syncSources: 0 },
      conversations: {
        path: join(knowledgeDir, "conversations.sqlite"),
        found: true,
        copied: { conversations: { total: 1, copied: 1 }, turns: { total: 2, copied: 2 }, votes: { total: 0, copied: 0 }, seenEvents: { total: 0, copied: 0 } },
      },
      reviewQueue: { path: join(knowledgeDir, "review.sqlite"), found: true, copied: { total: 1, copied: 1 } },
      tickets: { path: join(knowledgeDir, "handoff-tickets.sqlite"), found: true, copied: { total: 1, copied: 1 } },
    });

    // Every vector arrived: as many chunks as the local index has, all of them searchable.
    expect((await status(url)).knowledgeBases).toEqual([
      {
        name: "default",
        embedder: { id: "use-lite-512", dimensions: 512 },
        docs: local.docs,
        chunks: local.chunks,
        version: expect.any(Number),
        updatedAt: expect.any(String),
        conversations: 1,
        pendingReview: 1,
        tickets: 1,
      },
    ]);
    const remote = JSON.parse(ok(await cli(["ask", QUESTION, "--database", url, "--index", join(work, "no-index-here"), "--json"])).stdout) as AskJson;
    expect(remote.mode).toBe(localAnswer.mode);
    expect(remote.sources.map(({ id, title, source }) => ({ id, title, source }))).toEqual(localAnswer.sources.map(({ id, title, source }) => ({ id, title, source })));
    remote.sources.forEach((s, i) => expect(s.score).toBeCloseTo(localAnswer.sources[i]!.score, 3));
    // The earlier conversation continues from the database.
    const followUp = JSON.parse(ok(await cli(["ask", "and at rest?", "--database", url, "--conversation", localAnswer.conversationId, "--json"])).stdout) as AskJson;
    expect(followUp.conversationId).toBe(localAnswer.conversationId);

    const again = ok(await cli(["migrate-to-postgres", "--database", url, "--index", indexDir]));
    expect(again.stderr).not.toContain("postgres: Migrating");
    expect(again.stdout).toBe(
      [
        `Copied to PostgreSQL ${where}, knowledge base "default":`,
        `  knowledge      ${local.docs} docs (0 copied, ${local.docs} already there), ${local.chunks} chunks, sync state of 0 sources from ${indexDir}`,
        `  conversations  1 conversation (0 copied, 1 already there), 2 turns, 0 votes from ${join(knowledgeDir, "conversations.sqlite")}`,
        `  review queue   1 candidate (0 copied, 1 already there) from ${join(knowledgeDir, "review.sqlite")}`,
        `  tickets        1 ticket (0 copied, 1 already there) from ${join(knowledgeDir, "handoff-tickets.sqlite")}`,
        'Nothing was embedded again. Point the bots at the database: --database, "database" in llamadesk.config.json, or LLAMADESK_DATABASE_URL.',
        "",
      ].join("\n"),
    );
    const after = (await status(url)).knowledgeBases[0]!;
    expect(after).toMatchObject({ docs: local.docs, chunks: local.chunks, conversations: 2, pendingReview: 1, tickets: 1 });
  });

  it("refuses a knowledge base that holds other knowledge, changing nothing; --replace copies over it; missing files are named, not an error", async () => {
    const { url } = await fresh();
    await mkdir(join(work, "other"), { recursive: true });
    await writeFile(join(work, "other", "faq.md"), "# Do you ship abroad?\nYes, to 40 countries.\n");
    ok(await cli(["ingest", join(work, "other"), "--database", url, "--knowledge", "shop"]));

    const refused = await cli(["migrate-to-postgres", "--database", url, "--knowledge", "shop", "--index", indexDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error \[KNOWLEDGE_NOT_EMPTY\]: postgres .* \(knowledge "shop"\) already holds 1 docs, 1 of which .* does not hold as they are \("Do you ship abroad\?"\)\. .*--knowledge NAME.*--replace/);
    expect((await status(url)).knowledgeBases).toEqual([expect.objectContaining({ name: "shop", docs: 1, conversations: 0 })]);

    const elsewhere = join(work, "nowhere");
    const replaced = JSON.parse(
      ok(await cli(["migrate-to-postgres", "--database", url, "--knowledge", "shop", "--index", indexDir, "--replace", "--store", join(elsewhere, "c.sqlite"), "--queue", join(elsewhere, "q.sqlite"), "--tickets", join(elsewhere, "t.sqlite"), "--json"]))
        .stdout,
    ) as { index: { copied: number }; conversations: unknown; tickets: unknown };
    expect(replaced.index.copied).toBe(local.docs);
    expect(replaced.conversations).toEqual({ path: join(elsewhere, "c.sqlite"), found: false });
    expect(replaced.tickets).toEqual({ path: join(elsewhere, "t.sqlite"), found: false });
    expect(existsSync(elsewhere)).toBe(false);
    expect((await status(url)).knowledgeBases).toEqual([expect.objectContaining({ name: "shop", docs: local.docs, chunks: local.chunks })]);
  });

  it("migrate-to-postgres reads from where the config file puts the index, conversations, queue and tickets, and into its database", async () => {
    const { url } = await fresh();
    const site = join(work, "site");
    await mkdir(site, { recursive: true });
    await writeFile(
      join(site, "llamadesk.config.json"),
      JSON.stringify({ index: indexDir, database: url, knowledge: "site", store: "state/chats.sqlite", mining: { queue: "state/queue.sqlite" }, web: { tickets: "state/tickets.sqlite" } }),
    );
    const result = JSON.parse(ok(await cli(["migrate-to-postgres", "--config", join(site, "llamadesk.config.json"), "--json"])).stdout) as Record<string, { path: string }>;
    expect(result).toMatchObject({
      knowledge: "site",
      index: { path: indexDir, copied: local.docs },
      conversations: { path: join(site, "state", "chats.sqlite"), found: false },
      reviewQueue: { path: join(site, "state", "queue.sqlite"), found: false },
      tickets: { path: join(site, "state", "tickets.sqlite"), found: false },
    });
    expect((await status(url)).knowledgeBases).toEqual([expect.objectContaining({ name: "site", docs: local.docs })]);
  });

  it("migrate-to-postgres without an index to copy says where it looked", async () => {
    const { url } = await fresh();
    const result = await cli(["migrate-to-postgres", "--database", url, "--index", join(work, "missing-index")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \[INDEX_NOT_FOUND\]: No llamadesk index in .*missing-index to copy\. Point --index/);
  });
});

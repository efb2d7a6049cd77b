import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLlamadeskError, type ErrorCode } from "../../src/errors.js";
import { copyKnowledge, type KnowledgeSource } from "../../src/knowledge/copyKnowledge.js";
import { ingest } from "../../src/knowledge/ingest.js";
import type { ChunkHit, DocUpsert, KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { PostgresKnowledgeStore } from "../../src/postgres/PostgresKnowledgeStore.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { ArrayConnector, faq } from "../support/ArrayConnector.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

const database = useTestDatabase();
const writer = { command: "copyKnowledge test" };

const DOCS = [
  faq("refund", "How do I get a refund?", "Open Billing, pick the invoice and press Refund within 30 days."),
  faq("password", "How do I reset my password?", "Use the Forgot password link on the sign-in page; the email comes within minutes.", 5),
  faq("export", "Can I export my data?", "Yes: Settings, Export, then choose CSV or JSON.", 9),
  faq("offline", "Does the app work offline?", "The desktop app keeps your last synced files offline and syncs when you reconnect.", 13),
  faq("plans", "Which plans are there?", "Free, Team and Business; Team adds shared folders and Business adds SSO.", 17),
  // A long doc: several chunks, so chunk order, ids and titles are carried over too.
  makeSourceDoc({
    id: "guide",
    kind: "doc",
    title: "Sync troubleshooting guide",
    // Each section one chunk of its own words, so no two chunks tie in a search.
    text: ["folder permissions", "proxy settings", "firewall rules", "TLS certificates", "free disk space", "clock skew"]
      .map((topic, i) => `## Step ${i + 1}\n\n${`When sync stalls, look at the ${topic} (${"x".repeat(i + 1)}). `.repeat(10 + i)}`)
      .join("\n\n"),
    url: "https://help.example.com/sync",
  }),
];
const QUERIES = ["refund an invoice", "forgot my password", "export as CSV", "sync proxy permissions", "shared folders plan"];

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isLlamadeskError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

/** Everything a store holds that retrieval reads: docs, passages, the vector hits and the lexical hits of the queries. */
async function contents(store: KnowledgeStore) {
  const docs = (await store.listDocs()).sort((a, b) => a.id.localeCompare(b.id));
  const chunkIds = docs.flatMap((d) => d.chunkIds);
  // The queries' vectors from an embedder of their own: the one that built the index is watched for calls.
  const vectors = await new FakeEmbedder({ dimensions: 48 }).embed(QUERIES);
  return {
    counts: await store.counts(),
    docs,
    passages: await store.getPassages(chunkIds),
    vectorHits: await Promise.all(vectors.map((v) => store.searchVectors(v, 4))),
    lexicalHits: await Promise.all(QUERIES.map((q) => store.searchLexical(q, 4))),
    syncState: await store.syncState(),
  };
}

/** The same knowledge: equal in everything, scores to four places (float4 vectors, SQL arithmetic). */
async function expectSameKnowledge(copy: KnowledgeStore, original: KnowledgeStore): Promise<void> {
  const [a, b] = [await contents(copy), await contents(original)];
  // Hits that tie (e.g. at 0: no word in common) may come in any order, and the cut at k may take any of them.
  const ids = (hits: ChunkHit[][]) => hits.map((list) => list.map((h) => (list.some((o) => o !== h && Math.abs(o.score - h.score) < 1e-4) ? "(tie)" : h.id)));
  expect({ ...a, vectorHits: ids(a.vectorHits), lexicalHits: ids(a.lexicalHits) }).toEqual({ ...b, vectorHits: ids(b.vectorHits), lexicalHits: ids(b.lexicalHits) });
  for (const kind of ["vectorHits", "lexicalHits"] as const) {
    a[kind].flat().forEach((hit, i) => expect(hit.score).toBeCloseTo(b[kind].flat()[i]!.score, 4));
  }
  expect(a.lexicalHits.flat().length).toBeGreaterThan(QUERIES.length);
}

describe("copyKnowledge: a local index into PostgreSQL", () => {
  let dir: string;
  let embedder: FakeEmbedder;
  let local: LocalKnowledgeStore;
  const state = { "faq-files:/srv/faq": { files: { "faq.md": "sha-1" } }, "slack-api:C123": { cursor: "1712345678.000100", threads: ["t1", "t2"] } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "llamadesk-copy-"));
    embedder = new FakeEmbedder({ dimensions: 48 });
    local = await LocalKnowledgeStore.open({ dir, embedder, create: true });
    await ingest({ store: local, embedder, connectors: [new ArrayConnector(DOCS)] });
    const lock = await local.acquireWriter(writer);
    await local.apply({ syncState: state });
    await lock.release();
  });
  afterAll(async () => {
    await local.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const openTarget = async (knowledge: string) =>
    PostgresKnowledgeStore.open({ postgres: await database.postgres(), knowledge, embedder: local.embedder, create: true, vectorSearch: "exact" });

  it("copies docs, chunks, vectors and sync state without embedding: the copy answers every query as the index does", async () => {
    const target = await openTarget(database.knowledge());
    const embedded = embedder.embeddedCount;
    const progress: [number, number][] = [];
    const summary = await copyKnowledge({ from: local, to: target, writer, batchSize: 2, onProgress: (done, total) => progress.push([done, total]) });

    expect(embedder.embeddedCount).toBe(embedded);
    const { chunks } = await local.counts();
    expect(chunks).toBe(DOCS.length - 1 + 6);
    expect(summary).toEqual({ docs: DOCS.length, chunks, copied: DOCS.length, alreadyThere: 0, syncSources: 2 });
    await expectSameKnowledge(target, local);
    expect(progress).toEqual([[0, 6], [2, 6], [4, 6], [6, 6]]);
    await target.dispose();
  });

  it("a second run copies nothing and leaves the knowledge base as it was, not even a new version", async () => {
    const knowledge = database.knowledge();
    const target = await openTarget(knowledge);
    await copyKnowledge({ from: local, to: target, writer });
    const version = async () => (await (await database.postgres()).query("SELECT version FROM llamadesk_knowledge WHERE knowledge = $1", [knowledge])).rows[0];
    const was = await version();
    expect(await copyKnowledge({ from: local, to: target, writer })).toMatchObject({ copied: 0, alreadyThere: DOCS.length });
    expect(await version()).toEqual(was);
    await expectSameKnowledge(target, local);
    await target.dispose();
  });

  it("an interrupted copy leaves no sync state (no cursor ahead of its docs), and the next run copies only the rest", async () => {
    const target = await openTarget(database.knowledge());
    // A source that breaks after handing over three docs.
    const failing: KnowledgeSource = {
      embedder: local.embedder,
      location: local.location,
      counts: () => local.counts(),
      listDocs: () => local.listDocs(),
      syncState: () => local.syncState(),
      async *exportDocs(): AsyncGenerator<DocUpsert> {
        let n = 0;
        for await (const upsert of local.exportDocs()) {
          if (++n > 3) throw new Error("disk went away");
          yield upsert;
        }
      },
    };
    await expect(copyKnowledge({ from: failing, to: target, writer, batchSize: 2 })).rejects.toThrow("disk went away");
    expect((await target.counts()).docs).toBe(2);
    expect(await target.syncState()).toEqual({});

    expect(await copyKnowledge({ from: local, to: target, writer, batchSize: 2 })).toMatchObject({ copied: DOCS.length - 2, alreadyThere: 2 });
    await expectSameKnowledge(target, local);
    await target.dispose();
  });

  it("refuses a knowledge base holding other knowledge, changing nothing; --replace makes it a copy of the index", async () => {
    const knowledge = database.knowledge();
    const target = await openTarget(knowledge);
    const other = [faq("refund", "How do I get a refund?", "Write to billing@example.com."), faq("other", "Other question?", "Other answer.")];
    await ingest({ store: target, embedder, connectors: [new ArrayConnector(other, "elsewhere")] });
    const held = await contents(target);

    const error = await expectCode(copyKnowledge({ from: local, to: target, writer }), "KNOWLEDGE_NOT_EMPTY");
    expect(error.message).toContain(`knowledge "${knowledge}"`);
    expect(error.message).toMatch(/already holds 2 docs, 2 of which .* does not hold as they are/);
    expect(error.message).toMatch(/--knowledge NAME.*--replace/);
    expect(await contents(target)).toEqual(held);

    const replaced = await PostgresKnowledgeStore.open({ postgres: await database.postgres(), knowledge, embedder: local.embedder, rebuild: true, vectorSearch: "exact" });
    expect(await copyKnowledge({ from: local, to: replaced, writer, replace: true })).toMatchObject({ copied: DOCS.length, alreadyThere: 0 });
    await expectSameKnowledge(replaced, local);
    await target.dispose();
    await replaced.dispose();
  });

  it("a knowledge base that holds some of the index's docs as they are is filled up, not refused", async () => {
    const target = await openTarget(database.knowledge());
    await ingest({ store: target, embedder, connectors: [new ArrayConnector(DOCS.slice(0, 2))] });
    const embedded = embedder.embeddedCount;
    expect(await copyKnowledge({ from: local, to: target, writer })).toMatchObject({ copied: DOCS.length - 2, alreadyThere: 2 });
    expect(embedder.embeddedCount).toBe(embedded);
    await expectSameKnowledge(target, local);
    await target.dispose();
  });

  it("refuses a knowledge base of another embedder, naming both", async () => {
    const target = await PostgresKnowledgeStore.open({ postgres: await database.postgres(), knowledge: database.knowledge(), embedder: { id: "other-embedder", dimensions: 48 }, create: true });
    const error = await expectCode(copyKnowledge({ from: local, to: target, writer }), "EMBEDDER_MISMATCH");
    expect(error.message).toContain('"fake-bow-48"');
    expect(error.message).toContain('"other-embedder"');
    expect((await target.counts()).docs).toBe(0);
    await target.dispose();
  });

  it("copies an index of exact vectors too", async () => {
    const exactDir = await mkdtemp(join(tmpdir(), "llamadesk-copy-exact-"));
    try {
      const exact = await LocalKnowledgeStore.open({ dir: exactDir, embedder, create: true, vectorIndex: "exact" });
      await ingest({ store: exact, embedder, connectors: [new ArrayConnector(DOCS)] });
      const target = await openTarget(database.knowledge());
      await copyKnowledge({ from: exact, to: target, writer });
      await expectSameKnowledge(target, exact);
      await target.dispose();
      await exact.dispose();
    } finally {
      await rm(exactDir, { recursive: true, force: true });
    }
  });
});

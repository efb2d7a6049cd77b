import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { isLlamadeskError } from "../../src/errors.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { toLangChainRetriever } from "../../src/retrieval/LangChainRetriever.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";

// Real parts: USE-lite embeddings, hnswlib-node, the FAQ-files connector, files on disk.
describe("knowledge index with the real embedder and hnswlib", () => {
  const embedder = new UseLiteEmbedder();
  let work: string;
  let sources: string;
  let indexDir: string;

  const runIngest = async (store: LocalKnowledgeStore) =>
    ingest({ store, embedder, connectors: [new FaqFilesConnector({ paths: [sources] })] });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-int-"));
    sources = join(work, "sources");
    indexDir = join(work, "index");
    await cp(SAMPLE_SOURCES_DIR, sources, { recursive: true });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("ingests the sample FAQ, saves it, and answers from the reloaded index", async () => {
    const index = await LocalKnowledgeStore.open({ dir: indexDir, embedder, create: true });
    const summary = await runIngest(index);
    expect(summary.issues).toEqual([]);
    expect(summary.added).toBeGreaterThanOrEqual(40);

    const loaded = await LocalKnowledgeStore.open({ dir: indexDir, embedder });
    expect((await loaded.counts()).docs).toBe(summary.added);
    const retriever = new HybridRetriever({ store: loaded, embedder });
    const [best] = await retriever.retrieve("I forgot my password and can't sign in", { k: 3 });
    expect(best?.title).toMatch(/password/i);
    expect(best?.location?.file ?? best?.url).toBeTruthy();

    const manifest = JSON.parse(await readFile(join(indexDir, (await readFile(join(indexDir, "CURRENT"), "utf8")).trim(), "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      format: "llamadesk-index",
      formatVersion: 1,
      embedder: { id: "use-lite-512", dimensions: 512 },
      vectorIndex: "hnsw",
      counts: { docs: summary.added, chunks: summary.added },
    });
  });

  it("re-ingest after edits: re-embeds the changed entry, drops the deleted one everywhere", async () => {
    const file = join(sources, "getting-started.md");
    const original = await readFile(file, "utf8");
    // Change one answer and remove the last question of the file.
    const headings = [...original.matchAll(/^#{2,} .+$/gm)];
    const last = headings.at(-1)!;
    const lastQuestion = last[0].replace(/^#+ /, "");
    const edited = original
      .slice(0, last.index)
      .replace("\n## How do I share a folder", "\nOlder devices can be removed under Settings.\n\n## How do I share a folder");
    expect(edited).toContain("Older devices");
    await writeFile(file, edited);

    const index = await LocalKnowledgeStore.open({ dir: indexDir, embedder });
    const before = (await index.counts()).docs;
    const summary = await runIngest(index);
    expect(summary.deleted).toBe(1);
    expect(summary.updated).toBe(1);
    expect(summary.added).toBe(0);
    expect(summary.chunksEmbedded).toBe(1);
    expect((await index.counts()).docs).toBe(before - 1);

    const reloaded = await LocalKnowledgeStore.open({ dir: indexDir, embedder });
    const retriever = new HybridRetriever({ store: reloaded, embedder });
    for (const mode of ["hybrid", "vector", "lexical"] as const) {
      const titles = (await retriever.retrieve(lastQuestion, { k: 10, mode })).map((p) => p.title);
      expect(titles).not.toContain(lastQuestion);
    }
  });

  it("refuses an index built with another embedder", async () => {
    const fake = new FakeEmbedder({ dimensions: 512, id: "some-other-model" });
    const otherDir = join(work, "other-index");
    const other = await LocalKnowledgeStore.open({ dir: otherDir, embedder: fake, create: true });
    await ingest({ store: other, embedder: fake, connectors: [new FaqFilesConnector({ paths: [sources] })] });
    const error = await LocalKnowledgeStore.open({ dir: otherDir, embedder }).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "EMBEDDER_MISMATCH")).toBe(true);
    expect((error as Error).message).toContain('"some-other-model"');
    expect((error as Error).message).toContain("--rebuild");
  });

  it("a crashed save leaves the previous index loadable, and the next save cleans up", async () => {
    const before = await (await LocalKnowledgeStore.open({ dir: indexDir, embedder })).counts();
    // What a crash mid-save leaves: a half-written temporary generation, and a newer
    // generation directory that CURRENT never pointed to.
    await mkdir(join(indexDir, ".tmp-gen-999999-deadbeef"));
    await writeFile(join(indexDir, ".tmp-gen-999999-deadbeef", "docstore.json"), '{"docs": [');
    await mkdir(join(indexDir, "gen-999998"));
    const loaded = await LocalKnowledgeStore.open({ dir: indexDir, embedder });
    expect(await loaded.counts()).toEqual(before);

    await loaded.apply({});
    const entries = (await readdir(indexDir)).sort();
    expect(entries).toEqual(["CURRENT", "gen-999999"]);
    expect(await (await LocalKnowledgeStore.open({ dir: indexDir, embedder })).counts()).toEqual(before);
  });

  it("reports a missing index and a corrupt manifest with codes", async () => {
    const missing = await LocalKnowledgeStore.open({ dir: join(work, "nope"), embedder }).catch((e: unknown) => e);
    expect(isLlamadeskError(missing, "INDEX_NOT_FOUND")).toBe(true);
    const generation = (await readFile(join(indexDir, "CURRENT"), "utf8")).trim();
    await writeFile(join(indexDir, generation, "manifest.json"), "{ truncated");
    const corrupt = await LocalKnowledgeStore.open({ dir: indexDir, embedder }).catch((e: unknown) => e);
    expect(isLlamadeskError(corrupt, "INDEX_CORRUPT")).toBe(true);
  });

  it("passages carry raw signals that tell an on-topic question from an off-topic one", async () => {
    const index = await LocalKnowledgeStore.open({ dir: indexDir, embedder }).catch(async () => {
      const fresh = await LocalKnowledgeStore.open({ embedder });
      await runIngest(fresh);
      return fresh;
    });
    const retriever = new HybridRetriever({ store: index, embedder });
    const [onTopic] = await retriever.retrieve("How do I turn on two-step verification?", { k: 1 });
    const [offTopic] = await retriever.retrieve("What is the capital of Mongolia?", { k: 1 });
    // The fused score is relative (the best candidate scores high either way); the signals are not.
    expect(onTopic!.signals.vector!).toBeGreaterThan(offTopic!.signals.vector! + 0.2);
    expect(onTopic!.signals.lexical!).toBeGreaterThan(offTopic!.signals.lexical ?? 0);
  });

  it("serves passages to LangChain as Documents with their sources", async () => {
    const index = await LocalKnowledgeStore.open({ embedder });
    await runIngest(index);
    const retriever = toLangChainRetriever(new HybridRetriever({ store: index, embedder }), { k: 2 });
    const docs = await retriever.invoke("How much does the Team plan cost?");
    expect(docs).toHaveLength(2);
    expect(docs[0]!.pageContent.length).toBeGreaterThan(0);
    expect(docs[0]!.metadata).toMatchObject({ kind: "faq" });
    expect(typeof docs[0]!.metadata.docId).toBe("string");
    expect(typeof docs[0]!.metadata.score).toBe("number");
  });
});

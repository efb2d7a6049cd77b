import { describe, expect, it } from "vitest";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { ArrayConnector, faq } from "../support/ArrayConnector.js";

const base = () => [
  faq("refund", "How do I get a refund?", "Open Billing and click Request refund.", 1),
  faq("invoice", "Where are my invoices?", "Invoices are under Billing as PDF.", 5),
  faq("sync", "Why is sync slow?", "Check the bandwidth limit in Preferences.", 9),
];

const setup = async () => {
  const embedder = new FakeEmbedder();
  const index = await LocalKnowledgeStore.open({ embedder, vectorIndex: "exact" });
  return { embedder, index };
};
const docCount = async (index: LocalKnowledgeStore) => (await index.counts()).docs;
const getDoc = async (index: LocalKnowledgeStore, id: string) => (await index.getDocs([id]))[0];

describe("ingest", () => {
  it("adds new docs, embedding each chunk once, in batches", async () => {
    const { embedder, index } = await setup();
    const summary = await ingest({ store: index, embedder, connectors: [new ArrayConnector(base())], batchSize: 2 });
    expect(summary).toMatchObject({ read: 3, added: 3, updated: 0, deleted: 0, unchanged: 3 - 3, chunksEmbedded: 3 });
    expect(embedder.calls.map((c) => c.length)).toEqual([2, 1]);
    expect(embedder.calls[0]![0]).toBe("How do I get a refund?\nOpen Billing and click Request refund.");
    expect(await docCount(index)).toBe(3);
  });

  it("re-embeds only changed docs, deletes removed ones from every index, leaves unchanged ones alone", async () => {
    const { embedder, index } = await setup();
    await ingest({ store: index, embedder, connectors: [new ArrayConnector(base())] });
    const before = embedder.embeddedCount;

    const next = base().filter((d) => d.id !== "sync");
    next[0] = faq("refund", "How do I get a refund?", "Refunds: open Billing, then Request refund, within 30 days.", 1);
    next[1] = faq("invoice", "Where are my invoices?", "Invoices are under Billing as PDF.", 42); // moved only
    const summary = await ingest({ store: index, embedder, connectors: [new ArrayConnector(next)] });

    expect(summary).toMatchObject({ read: 2, added: 0, updated: 1, deleted: 1, unchanged: 1, chunksEmbedded: 1 });
    expect(embedder.embeddedCount - before).toBe(1);
    expect(embedder.calls.at(-1)).toEqual(["How do I get a refund?\nRefunds: open Billing, then Request refund, within 30 days."]);
    expect(await getDoc(index, "sync")).toBeUndefined();
    expect((await index.searchVectors(await embedder.embed(["Why is sync slow?"]).then((v) => v[0]!), 10)).map((h) => h.id)).not.toContain("sync");
    expect((await index.searchLexical("sync slow bandwidth", 10)).map((h) => h.id)).not.toContain("sync");
    expect((await getDoc(index, "invoice"))?.location).toEqual({ file: "faq.md", line: 42 });

    const retriever = new HybridRetriever({ store: index, embedder });
    for (const mode of ["hybrid", "vector", "lexical"] as const) {
      const ids = (await retriever.retrieve("bandwidth preferences sync slow", { k: 5, mode })).map((p) => p.docId);
      expect(ids).not.toContain("sync");
    }
  });

  it("a second ingest of the same docs embeds nothing", async () => {
    const { embedder, index } = await setup();
    await ingest({ store: index, embedder, connectors: [new ArrayConnector(base())] });
    const calls = embedder.calls.length;
    const summary = await ingest({ store: index, embedder, connectors: [new ArrayConnector(base())] });
    expect(summary).toMatchObject({ read: 3, added: 0, updated: 0, deleted: 0, unchanged: 3, chunksEmbedded: 0 });
    expect(embedder.calls.length).toBe(calls);
  });

  it("only deletes docs of the origins it pulled", async () => {
    const { embedder, index } = await setup();
    await ingest({ store: index, embedder, connectors: [new ArrayConnector(base(), "faq")] });
    await ingest({ store: index, embedder, connectors: [new ArrayConnector([faq("chat-1", "Past chat", "Resolved by restart.")], "chats")] });
    expect(await docCount(index)).toBe(4);
    await ingest({ store: index, embedder, connectors: [new ArrayConnector([], "chats")] });
    expect(await docCount(index)).toBe(3);
    expect(await getDoc(index, "chat-1")).toBeUndefined();
  });

  it("keeps a file's entries when that file fails to parse, instead of deleting them", async () => {
    const { embedder, index } = await setup();
    await ingest({ store: index, embedder, connectors: [new ArrayConnector(base())] });
    // The file now has a syntax error: the connector yields nothing from it and says why.
    const broken = new ArrayConnector([], "memory", [{ file: "faq.md", line: 3, message: "invalid JSON" }]);
    const summary = await ingest({ store: index, embedder, connectors: [broken] });
    expect(summary).toMatchObject({ read: 0, deleted: 0, kept: 3 });
    expect(await docCount(index)).toBe(3);
    // Once the file is fixed and an entry really is gone, it is deleted.
    const fixed = await ingest({ store: index, embedder, connectors: [new ArrayConnector(base().slice(1))] });
    expect(fixed).toMatchObject({ deleted: 1, kept: 0 });
  });

  it("still deletes removed entries from a file that has a bad entry but yields the others", async () => {
    const { embedder, index } = await setup();
    await ingest({ store: index, embedder, connectors: [new ArrayConnector(base())] });
    const oneBadRow = new ArrayConnector(base().slice(1), "memory", [{ file: "faq.md", line: 20, message: "question has no answer" }]);
    const summary = await ingest({ store: index, embedder, connectors: [oneBadRow] });
    expect(summary).toMatchObject({ read: 2, deleted: 1, kept: 0 });
    expect(await getDoc(index, "refund")).toBeUndefined();
  });

  it("reports connector issues and duplicate ids, and ingests the rest", async () => {
    const { embedder, index } = await setup();
    const issues = [{ file: "bad.csv", line: 7, message: "row has 3 fields, expected 2" }];
    const seen: string[] = [];
    const summary = await ingest({
      store: index,
      embedder,
      connectors: [new ArrayConnector(base(), "a", issues), new ArrayConnector([faq("refund", "Dup", "Other")], "b")],
      onIssue: (i) => seen.push(`${i.file}:${i.line}`),
    });
    expect(summary.read).toBe(3);
    expect(summary.issues).toHaveLength(2);
    expect(summary.issues[1]!.message).toMatch(/duplicate id "refund"/);
    expect(seen).toEqual(["bad.csv:7", "faq.md:1"]);
  });

  it("reports progress up to the total and honours an abort signal", async () => {
    const { embedder, index } = await setup();
    const progress: string[] = [];
    await ingest({
      store: index,
      embedder,
      connectors: [new ArrayConnector(base())],
      batchSize: 1,
      onProgress: (p) => p.phase === "embedding" && progress.push(`${p.done}/${p.total}`),
    });
    expect(progress).toEqual(["0/3", "1/3", "2/3", "3/3"]);

    const controller = new AbortController();
    controller.abort();
    await expect(
      ingest({ store: (await setup()).index, embedder, connectors: [new ArrayConnector(base())], signal: controller.signal }),
    ).rejects.toThrow();
  });
});

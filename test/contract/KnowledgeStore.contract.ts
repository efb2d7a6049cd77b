import { afterEach, describe, expect, it } from "vitest";
import { chunkDoc } from "../../src/knowledge/chunkDoc.js";
import { isLlamadeskError } from "../../src/errors.js";
import { ingest } from "../../src/knowledge/ingest.js";
import type { DocUpsert, EmbedderIdentity, KnowledgeChange, KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import type { SourceDoc } from "../../src/types.js";
import { ArrayConnector, faq } from "../support/ArrayConnector.js";

/** Opens a store of one implementation; every call with the same `place` opens the same knowledge (another process, as it were). */
export interface KnowledgeStoreImplementation {
  name: string;
  /** A fresh place for a test (a directory, a knowledge base name). */
  place(): Promise<string>;
  open(place: string, options: { embedder?: EmbedderIdentity; create?: boolean; rebuild?: boolean }): Promise<KnowledgeStore>;
}


const embedder = new FakeEmbedder({ dimensions: 16 });

async function upsert(doc: SourceDoc, origin = "test:one"): Promise<DocUpsert> {
  const chunks = chunkDoc(doc);
  return { doc, origin, chunks, vectors: await embedder.embed(chunks.map((c) => `${c.title}\n${c.text}`)) };
}

const docs = {
  refund: faq("refund", "How do I get a refund?", "Open Billing and click Request refund within 30 days.", 1),
  invoice: faq("invoice", "Where are my invoices?", "Invoices are under Billing as PDF files.", 5),
  bandwidth: faq("bandwidth", "Why is sync slow?", "Check the bandwidth limit in Preferences, Network.", 9),
};

/** What every KnowledgeStore promises, run against each implementation. */
export function knowledgeStoreContract(impl: KnowledgeStoreImplementation): void {
  describe(`KnowledgeStore contract: ${impl.name}`, () => {
    const fresh = async () => impl.open(await impl.place(), { embedder, create: true });

    it("applies upserts: counts, docs by id and origin, passages, vector and lexical search, exact scores", async () => {
      const store = await fresh();
      await store.apply({ upserts: [await upsert(docs.refund), await upsert(docs.invoice), await upsert(docs.bandwidth, "test:two")] });
      expect(await store.counts()).toEqual({ docs: 3, chunks: 3 });
      const [refund, missing] = await store.getDocs(["refund", "nope"]);
      expect(refund).toMatchObject({ id: "refund", kind: "faq", title: "How do I get a refund?", origin: "test:one", chunkIds: ["refund"], location: { file: "faq.md", line: 1 } });
      expect(refund).not.toHaveProperty("text");
      expect(missing).toBeUndefined();
      expect((await store.listDocs({ origins: ["test:two"] })).map((d) => d.id)).toEqual(["bandwidth"]);
      expect((await store.listDocs()).map((d) => d.id).sort()).toEqual(["bandwidth", "invoice", "refund"]);
      const [passage, unknown] = await store.getPassages(["invoice", "nope"]);
      expect(passage).toEqual({ chunkId: "invoice", docId: "invoice", kind: "faq", title: "Where are my invoices?", text: "Invoices are under Billing as PDF files.", location: { file: "faq.md", line: 5 } });
      expect(unknown).toBeUndefined();

      const [query] = await embedder.embed(["Where are my invoices?\nInvoices are under Billing as PDF files."]);
      const nearest = await store.searchVectors(query!, 2);
      expect(nearest[0]).toMatchObject({ id: "invoice" });
      expect(nearest[0]!.score).toBeCloseTo(1, 5);
      expect(nearest).toHaveLength(2);
      const lexical = await store.searchLexical("bandwidth limit", 5);
      expect(lexical.map((h) => h.id)).toEqual(["bandwidth"]);
      expect(await store.searchLexical("zebra", 5)).toEqual([]);

      const scores = await store.scoreChunks("billing refund", query!, ["refund", "invoice", "nope"]);
      expect(scores.lexical[0]!).toBeGreaterThan(scores.lexical[1]!);
      expect(scores.lexical[2]).toBe(0);
      expect(scores.vector[1]!).toBeCloseTo(1, 5);
      expect(scores.vector[2]).toBeNaN();
      expect(scores.coverage[0]).toBeCloseTo(1, 9);
      expect(scores.coverage[1]!).toBeGreaterThan(0);
      expect(scores.coverage[1]!).toBeLessThan(1);
      // A number counts for a chunk that has it ("30 days") and is not held against one that lacks it ("a team of 7").
      const withNumber = await store.scoreChunks("billing refund 30", query!, ["refund", "invoice"]);
      expect(withNumber.coverage[0]).toBeCloseTo(1, 9);
      expect(withNumber.coverage[1]).toBeCloseTo(scores.coverage[1]!, 9);
      const quantity = await store.scoreChunks("billing refund 7", query!, ["refund", "invoice"]);
      expect(quantity.coverage[0]).toBeCloseTo(1, 9);
      expect(quantity.coverage[1]).toBeCloseTo(scores.coverage[1]!, 9);
    });

    it("replaces a doc's chunks on re-upsert, deletes docs everywhere, updates metadata without re-embedding", async () => {
      const store = await fresh();
      await store.apply({ upserts: [await upsert(docs.refund), await upsert(docs.invoice), await upsert(docs.bandwidth)] });
      const changed = { ...docs.refund, text: "Refunds: write to billing@example.com.", contentHash: "changed" };
      await store.apply({ upserts: [await upsert(changed)], deletes: ["bandwidth", "never-there"], metadata: [{ doc: { ...docs.invoice, location: { file: "faq.md", line: 42 } }, origin: "test:moved" }] });
      expect(await store.counts()).toEqual({ docs: 2, chunks: 2 });
      expect((await store.getPassages(["refund"]))[0]?.text).toBe("Refunds: write to billing@example.com.");
      expect((await store.getDocs(["bandwidth"]))[0]).toBeUndefined();
      expect(await store.searchLexical("bandwidth preferences", 5)).toEqual([]);
      const [query] = await embedder.embed(["Why is sync slow?\nCheck the bandwidth limit in Preferences, Network."]);
      expect((await store.searchVectors(query!, 5)).map((h) => h.id)).not.toContain("bandwidth");
      expect((await store.getDocs(["invoice"]))[0]).toMatchObject({ origin: "test:moved", location: { file: "faq.md", line: 42 }, chunkIds: ["invoice"] });
      expect((await store.searchLexical("invoices pdf", 1))[0]?.id).toBe("invoice");
    });

    it("keeps sync state per source with the docs: merged by source, removed with null, cleared by replaceAll", async () => {
      const store = await fresh();
      await store.apply({ upserts: [await upsert(docs.refund)], syncState: { a: { cursor: 1 }, b: { cursor: "x" } } });
      await store.apply({ syncState: { a: { cursor: 2 } } });
      expect(await store.syncState()).toEqual({ a: { cursor: 2 }, b: { cursor: "x" } });
      await store.apply({ syncState: { b: null } });
      expect(await store.syncState()).toEqual({ a: { cursor: 2 } });
      await store.apply({ replaceAll: true, upserts: [await upsert(docs.invoice)] });
      expect(await store.syncState()).toEqual({});
      expect((await store.listDocs()).map((d) => d.id)).toEqual(["invoice"]);
    });

    it("applies a batch whole or not at all: a bad upsert leaves docs and cursors as they were", async () => {
      const store = await fresh();
      await store.apply({ upserts: [await upsert(docs.refund)], syncState: { a: { cursor: 1 } } });
      const bad = { ...(await upsert(docs.invoice)), vectors: [[1, 2, 3]] };
      const error = await store.apply({ deletes: ["refund"], upserts: [await upsert(docs.bandwidth), bad], syncState: { a: { cursor: 2 } } }).catch((e: unknown) => e);
      expect(isLlamadeskError(error, "EMBEDDER_MISMATCH")).toBe(true);
      expect((await store.listDocs()).map((d) => d.id)).toEqual(["refund"]);
      expect(await store.syncState()).toEqual({ a: { cursor: 1 } });
      const reopened = await impl.open(await placeOf(store, impl), { embedder });
      expect((await reopened.listDocs()).map((d) => d.id)).toEqual(["refund"]);
      await reopened.dispose();
    });

    it("refuses to open with another embedder, and a rebuild replaces it", async () => {
      const place = await impl.place();
      const store = await impl.open(place, { embedder, create: true });
      await store.apply({ upserts: [await upsert(docs.refund)] });
      const other = new FakeEmbedder({ dimensions: 8, id: "other-model" });
      const error = await impl.open(place, { embedder: other }).catch((e: unknown) => e);
      expect(isLlamadeskError(error, "EMBEDDER_MISMATCH")).toBe(true);
      expect((error as Error).message).toContain("--rebuild");
      const missing = await impl.open(await impl.place(), { embedder }).catch((e: unknown) => e);
      expect(isLlamadeskError(missing, "INDEX_NOT_FOUND")).toBe(true);

      const rebuilt = await impl.open(place, { embedder: other, rebuild: true });
      const summary = await ingest({ store: rebuilt, embedder: other, rebuild: true, connectors: [new ArrayConnector([docs.invoice])] });
      expect(summary.added).toBe(1);
      const reopened = await impl.open(place, { embedder: other });
      expect(reopened.embedder).toEqual({ id: "other-model", dimensions: 8 });
      expect((await reopened.listDocs()).map((d) => d.id)).toEqual(["invoice"]);
      expect((await reopened.searchVectors((await other.embed(["x"]))[0]!, 3)).map((h) => h.id)).toEqual(["invoice"]);
      for (const s of [store, rebuilt, reopened]) await s.dispose();
    });

    it("a reader hears of another store's changes, and then reads them", async () => {
      const place = await impl.place();
      const writer = await impl.open(place, { embedder, create: true });
      await writer.apply({ upserts: [await upsert(docs.refund)] });
      const reader = await impl.open(place, { embedder });
      const events: KnowledgeChange[] = [];
      const stop = reader.onChange((event) => events.push(event));
      await ingest({ store: writer, embedder, connectors: [new ArrayConnector([docs.refund, docs.invoice], "one")] });
      await expect.poll(() => events.length, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(events.at(-1)).toEqual({ counts: { docs: 2, chunks: 2 } });
      expect((await reader.searchLexical("invoices", 3)).map((h) => h.id)).toEqual(["invoice"]);
      stop();
      await reader.dispose();
      await writer.dispose();
    });
  });
}

/**
 * What every KnowledgeStore promises about writers: one at a time, none losing another's work. Its own
 * function because it needs connections that really run at once (on PostgreSQL a real server: PGlite is one
 * session, where no lock excludes anybody).
 */
export function knowledgeStoreWriterContract(impl: KnowledgeStoreImplementation): void {
  describe(`KnowledgeStore writers contract: ${impl.name}`, () => {
    it("one writer at a time: without waiting INDEX_LOCKED names the holder; waiting resumes after release", async () => {
      const place = await impl.place();
      const first = await impl.open(place, { embedder, create: true });
      const second = await impl.open(place, { embedder, create: true });
      const lock = await first.acquireWriter({ command: "sync" });
      const refused = await second.acquireWriter({ command: "ingest", wait: false }).catch((e: unknown) => e);
      expect(isLlamadeskError(refused, "INDEX_LOCKED")).toBe(true);
      expect((refused as Error).message).toMatch(/sync/);
      expect((refused as Error).message).toContain(String(process.pid));
      const told: string[] = [];
      const waiting = second.acquireWriter({ command: "ingest", onWait: (holder) => told.push(`${holder.command}:${holder.pid}`) });
      await expect.poll(() => told.length).toBe(1);
      expect(told).toEqual([`sync:${process.pid}`]);
      await lock.release();
      const next = await waiting;
      await next.release();
      await first.dispose();
      await second.dispose();
    });

    it("two writers on one knowledge base lose nothing: each ingest sees the other's docs", async () => {
      const place = await impl.place();
      const a = await impl.open(place, { embedder, create: true });
      const b = await impl.open(place, { embedder, create: true });
      await Promise.all([
        ingest({ store: a, embedder, connectors: [new ArrayConnector([docs.refund, docs.invoice], "a")] }),
        ingest({ store: b, embedder, connectors: [new ArrayConnector([docs.bandwidth], "b")] }),
      ]);
      const reader = await impl.open(place, { embedder });
      expect((await reader.listDocs()).map((d) => d.id).sort()).toEqual(["bandwidth", "invoice", "refund"]);
      for (const s of [a, b, reader]) await s.dispose();
    });

  });
}

/** Stores do not say where they live in a machine-readable way; the contract keeps the place it opened. */
const places = new WeakMap<KnowledgeStore, string>();
/** Every store a test opened, disposed after it (listeners and connections must not outlive the test). */
const opened: KnowledgeStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.dispose();
});
async function placeOf(store: KnowledgeStore, _impl: KnowledgeStoreImplementation): Promise<string> {
  const place = places.get(store);
  if (!place) throw new Error("placeOf: store not opened through track()");
  return place;
}

/** Wraps an implementation so the contract can reopen a store's place. */
export function track(impl: KnowledgeStoreImplementation): KnowledgeStoreImplementation {
  return {
    ...impl,
    async open(place, options) {
      const store = await impl.open(place, options);
      places.set(store, place);
      opened.push(store);
      return store;
    },
  };
}

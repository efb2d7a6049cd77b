import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaqFilesConnector } from "../faq-files/index.js";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { MemoryReviewQueue } from "../../src/mining/MemoryReviewQueue.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { definition, ReviewedFaqConnector } from "./index.js";

const thread = (id: string, url?: string): ChatThread => ({
  id,
  platform: "slack",
  ...(url ? { url } : {}),
  messages: [
    { id: "1", author: "maya", role: "customer", text: "Can Tidepool keep a folder only on the server for a team archive?" },
    { id: "2", author: "dana", role: "agent", text: "Yes: right-click the folder and choose Online only." },
  ],
});

let dir: string;
let embedder: UseLiteEmbedder;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llamadesk-reviewed-"));
  embedder = new UseLiteEmbedder();
}, 120_000);
afterAll(async () => {
  await embedder.dispose?.();
  await rm(dir, { recursive: true, force: true });
});

describe("ReviewedFaqConnector", () => {
  it("puts approved candidates in a real index as FAQ entries with the thread as provenance, and takes them out when rejected", async () => {
    const path = join(dir, "review.sqlite");
    const queue = await SqliteReviewQueue.open({ path });
    const archive = await queue.add({ thread: thread("slack:C1:1", "https://example.slack.com/archives/C1/p1"), question: "Can I keep a team archive folder on the server only?", answer: "Right-click the folder and choose Online only.", answerMessageIds: ["2"], signals: [], extractedBy: "rules" });
    const other = await queue.add({ thread: thread("slack:C1:2"), question: "Is the pending one left out?", answer: "Yes.", answerMessageIds: ["2"], signals: [], extractedBy: "rules" });
    await queue.approve(archive.id, { answer: "Right-click the folder in Tidepool and choose Online only: it stays in the cloud and takes no disk space." });
    await queue.dispose();

    const index = await LocalKnowledgeStore.open({ embedder });
    const connectors = () => [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] }), new ReviewedFaqConnector({ queue: path })];
    const first = await ingest({ store: index, embedder, connectors: connectors() });
    expect(first.issues).toEqual([]);
    const doc = (await index.getDocs([`reviewed:${archive.id}`]))[0];
    expect(doc).toMatchObject({ kind: "faq", title: "Can I keep a team archive folder on the server only?", url: "https://example.slack.com/archives/C1/p1", tags: ["from-chat"], origin: `reviewed-faq:${path}` });
    expect((await index.getDocs([`reviewed:${other.id}`]))[0]).toBeUndefined();

    const retriever = new HybridRetriever({ store: index, embedder });
    const [top] = await retriever.retrieve("keep a team archive folder only on the server", { k: 3 });
    expect(top).toMatchObject({ docId: `reviewed:${archive.id}`, kind: "faq", url: "https://example.slack.com/archives/C1/p1" });
    expect(top!.text).toContain("takes no disk space");

    // Re-ingest unchanged: nothing re-embedded. Then a change of mind: rejected, and the next ingest removes it.
    expect(await ingest({ store: index, embedder, connectors: connectors() })).toMatchObject({ added: 0, updated: 0, deleted: 0 });
    const again = await SqliteReviewQueue.open({ path });
    await again.reject(archive.id);
    await again.dispose();
    const after = await ingest({ store: index, embedder, connectors: connectors() });
    expect(after).toMatchObject({ deleted: 1, added: 0 });
    expect((await index.getDocs([`reviewed:${archive.id}`]))[0]).toBeUndefined();
    expect((await index.listDocs()).some((d) => d.origin.startsWith("faq-files:"))).toBe(true);
  }, 120_000);

  it("reads an open queue too, yields nothing for a queue file not created yet, and builds from a config entry", async () => {
    const queue = new MemoryReviewQueue();
    const c = await queue.add({ thread: thread("t"), question: "Q?", answer: "A.", answerMessageIds: [], signals: [], extractedBy: "model" });
    await queue.approve(c.id);
    const docs = [];
    for await (const d of new ReviewedFaqConnector({ queue }).pull()) docs.push(d);
    expect(docs).toEqual([expect.objectContaining({ id: `reviewed:${c.id}`, kind: "faq", title: "Q?", text: "A.", tags: ["from-chat"] })]);
    expect(docs[0]).not.toHaveProperty("url");

    const missing = join(dir, "nope", "review.sqlite");
    for await (const d of new ReviewedFaqConnector({ queue: missing }).pull()) throw new Error(`unexpected ${d.id}`);
    const built = definition.create(definition.options.parse({ queue: "review.sqlite" }), { baseDir: dir, env: () => undefined });
    expect(built.origin).toBe(join(dir, "review.sqlite"));
    expect(definition.options.safeParse({}).success).toBe(false);
  });
});

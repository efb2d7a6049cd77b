import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { toAnswerSource } from "../../src/pipeline/AnswerSource.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { SlackExportConnector } from "./index.js";

const fixture = fileURLToPath(new URL("./fixtures/acme-export", import.meta.url));

// Real parts: the export connector, USE-lite embeddings, HNSW + BM25, ingest.
describe("a Slack export as knowledge", () => {
  it("ingests the export and retrieves a past thread by a paraphrased question, citing its permalink", async () => {
    const embedder = new UseLiteEmbedder();
    const index = await LocalKnowledgeStore.open({ embedder });
    const connector = new SlackExportConnector({ path: fixture, supportUsers: ["U02BOB"], baseUrl: "https://acme.slack.com" });
    const summary = await ingest({ store: index, embedder, connectors: [connector] });
    expect(summary).toMatchObject({ read: 6, added: 6, deleted: 0 });
    expect(summary.issues).toHaveLength(4);

    const retriever = new HybridRetriever({ store: index, embedder });
    const [best] = await retriever.retrieve("After updating to version 4.2 my files won't sync and I get a quota error. What do I do?", { k: 3 });
    expect(best).toMatchObject({ docId: "slack:C01SUPPORT:1709542800.000100", kind: "chat" });
    expect(best!.text).toContain("quota.db");
    expect(toAnswerSource(best!, 1).source).toBe("https://acme.slack.com/archives/C01SUPPORT/p1709542800000100");

    const [csv] = await retriever.retrieve("is there a maximum number of rows when exporting a spreadsheet?", { k: 3 });
    expect(csv?.docId).toBe("slack:C01SUPPORT:1709551800.000100");

    // Re-ingesting the unchanged export embeds nothing.
    const again = await ingest({ store: index, embedder, connectors: [connector] });
    expect(again).toMatchObject({ unchanged: 6, added: 0, updated: 0, deleted: 0, chunksEmbedded: 0 });
  });
});

import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { toAnswerSource } from "../../src/pipeline/AnswerSource.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { DiscordExportConnector } from "./index.js";

const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));

// Real parts: USE-lite embeddings, hnswlib-node, BM25, the discord-export connector on fixture exports.
describe("discord-export into a real knowledge index", () => {
  const embedder = new UseLiteEmbedder();
  afterAll(async () => {
    await embedder.dispose();
  });

  it("ingests the conversations and finds one by a paraphrased question, cited by its jump link", async () => {
    const index = await LocalKnowledgeStore.open({ embedder });
    const connector = new DiscordExportConnector({ paths: [fixtures], supportRoles: ["Support"] });
    const summary = await ingest({ store: index, embedder, connectors: [connector] });
    expect(summary.added).toBe(9);
    expect(summary.issues.map((i) => i.file)).toEqual(["odd-shapes.json", "odd-shapes.json", "odd-shapes.json", expect.stringContaining("truncated/"), "truncated/notes.json"]);

    const retriever = new HybridRetriever({ store: index, embedder });
    const passages = await retriever.retrieve("My video calls lag while files upload, can I cap how much upload speed the app uses?", { k: 3 });
    const best = passages[0]!;
    expect(best.docId).toBe("discord:1100000000000000001:1214139028987707394");
    expect(best.kind).toBe("chat");
    expect(toAnswerSource(best, 1).source).toBe("https://discord.com/channels/1090000000000000000/1100000000000000001/1214139028987707394");

    const [clock] = await retriever.retrieve("raspberry pi keeps failing with error 4012, what is wrong?", { k: 1 });
    expect(clock?.docId).toBe("discord:1214875120435200023");
    expect(clock?.url).toBe("https://discord.com/channels/1090000000000000000/1214875120435200023");

    // A second ingest of the same exports changes nothing.
    const again = await ingest({ store: index, embedder, connectors: [connector] });
    expect({ added: again.added, updated: again.updated, deleted: again.deleted, unchanged: again.unchanged }).toEqual({ added: 0, updated: 0, deleted: 0, unchanged: 9 });
  });
});

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { ingest, type IngestSummary } from "../../src/knowledge/ingest.js";
import type { KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { FaqPair } from "./stackfaq.js";

/** Writes pairs as a JSON FAQ file and ingests it through the real connector and ingest path into an in-memory store. */
export async function buildFaqIndex(pairs: readonly FaqPair[], embedder: Embedder): Promise<{ store: KnowledgeStore; summary: IngestSummary }> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-dataset-"));
  try {
    await writeFile(join(dir, "faq.json"), JSON.stringify(pairs));
    const store = await LocalKnowledgeStore.open({ embedder });
    const summary = await ingest({ store, embedder, connectors: [new FaqFilesConnector({ paths: [dir] })] });
    return { store, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

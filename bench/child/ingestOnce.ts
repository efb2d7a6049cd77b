/**
 * Ingests FAQ files into a new index with the default embedder in a fresh process and
 * prints its peak RSS as JSON. With `embed-only`, only embeds the same chunk texts (batches
 * of 64), which tells the model's share of that peak from ingest's own.
 * Usage: node dist/bench/child/ingestOnce.js <faqDir> <indexDir> [embed-only]
 */
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { chunkDoc } from "../../src/knowledge/chunkDoc.js";
import { embeddingText, ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";

export interface IngestOnceResult {
  docs: number;
  ms: number;
  /** RSS once the model is loaded and has embedded one text, in bytes. */
  rssAfterWarmup: number;
  /** Peak RSS of the whole process, in bytes. */
  maxRss: number;
}

const [faqDir, indexDir, mode] = process.argv.slice(2);
if (faqDir === undefined || indexDir === undefined) throw new Error("usage: ingestOnce.js <faqDir> <indexDir>");

const embedder = new UseLiteEmbedder();
await embedder.embed(["warm up"]);
const rssAfterWarmup = process.memoryUsage().rss;
const start = performance.now();
const connector = new FaqFilesConnector({ paths: [faqDir] });
let docs = 0;
if (mode === "embed-only") {
  const texts: string[] = [];
  for await (const doc of connector.pull()) texts.push(...chunkDoc(doc).map(embeddingText));
  for (let i = 0; i < texts.length; i += 64) await embedder.embed(texts.slice(i, i + 64));
  docs = texts.length;
} else {
  const store = await LocalKnowledgeStore.open({ dir: indexDir, embedder, create: true });
  docs = (await ingest({ store, embedder, connectors: [connector] })).added;
}
const result: IngestOnceResult = {
  docs,
  ms: performance.now() - start,
  rssAfterWarmup,
  maxRss: process.resourceUsage().maxRSS * 1024,
};
console.log(JSON.stringify(result));

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { chunkDoc } from "../../src/knowledge/chunkDoc.js";
import { embeddingText } from "../../src/knowledge/ingest.js";
import type { FaqPair } from "../datasets/stackfaq.js";

/** FAQ pairs written as a JSON FAQ file, read back through the real connector, as ingest sees them. */
export interface FaqCorpus {
  /** A new connector on the file (the same origin each time, so a second ingest is a re-sync). */
  connector(): FaqFilesConnector;
  /** Docs the connector yields. */
  docs: number;
  /** What ingest embeds, chunk by chunk, in the connector's order. */
  texts: string[];
  /** Each chunk's title and text, in the same order. */
  chunks: { title: string; text: string }[];
  dispose(): Promise<void>;
}

export async function writeFaqCorpus(pairs: readonly FaqPair[]): Promise<FaqCorpus> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-bench-pg-faq-"));
  await writeFile(join(dir, "faq.json"), JSON.stringify(pairs));
  const connector = () => new FaqFilesConnector({ paths: [dir] });
  const chunks: { title: string; text: string }[] = [];
  let docs = 0;
  for await (const doc of connector().pull()) {
    docs++;
    for (const chunk of chunkDoc(doc)) chunks.push({ title: chunk.title, text: chunk.text });
  }
  return {
    connector,
    docs,
    texts: chunks.map((c) => embeddingText({ id: "", docId: "", ...c })),
    chunks,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

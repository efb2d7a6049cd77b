import { ingest } from "../../src/knowledge/ingest.js";
import type { PassageText } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { Retriever } from "../../src/pipeline/createPipelineSteps.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import type { Passage } from "../../src/types.js";
import { ArrayConnector, faq } from "./ArrayConnector.js";

/** A small FAQ knowledge base (in memory) on the fake embedder: the bot's lookups are real; what retrieval returns is scripted. */
export async function faqIndex() {
  const embedder = new FakeEmbedder();
  const knowledge = await LocalKnowledgeStore.open({ embedder });
  await ingest({
    store: knowledge,
    embedder,
    connectors: [
      new ArrayConnector([
        faq("reset", "How do I reset my password?", "Open Settings > Account and choose Reset password.", 1),
        faq("export", "How do I export my data?", "Choose File > Export and pick CSV or JSON.", 5),
        faq("billing", "When am I billed?", "On the first day of each month.", 9),
        faq("android", "Is there an Android app?", "Yes: search for Tidepool in Google Play.", 13),
      ]),
    ],
  });
  const ids = ["reset", "export", "billing", "android"];
  const passages = new Map((await knowledge.getPassages(ids)).map((p, i) => [ids[i]!, p!]));
  return { knowledge, embedder, passages };
}

/** What a retrieval hit looks like, with the signals the gate reads. */
export function hit(passages: ReadonlyMap<string, PassageText>, chunkId: string, score: number, vector: number, lexical = 1): Passage {
  return { ...passages.get(chunkId)!, score, signals: { vector, lexical } };
}

/** Returns scripted passages per query (the first matching substring wins) and records the queries. */
export class ScriptedRetriever implements Retriever {
  readonly queries: string[] = [];
  constructor(private readonly script: [match: string, passages: Passage[]][]) {}

  async retrieve(query: string): Promise<Passage[]> {
    this.queries.push(query);
    return this.script.find(([match]) => query.toLowerCase().includes(match.toLowerCase()))?.[1] ?? [];
  }
}

import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../../src/config.js";
import type { EvalQuery } from "../../src/eval/readQueriesFile.js";
import { readQueriesFile } from "../../src/eval/readQueriesFile.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { ingest } from "../../src/knowledge/ingest.js";
import type { KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { loadBanking77 } from "./banking77.js";
import { buildFaqIndex } from "./buildFaqIndex.js";
import { loadDstc9 } from "./dstc9.js";
import { loadStackFaq } from "./stackfaq.js";

/** A development set: a knowledge base and labelled queries, split once into a tuning half and a held-out half. */
export interface DevSet {
  name: string;
  store: KnowledgeStore;
  /** Parameters are chosen on these... */
  tune: EvalQuery[];
  /** ...and checked on these, which no choice looked at. */
  heldOut: EvalQuery[];
}

export type DevSetName = "StackFAQ" | "banking77" | "sample FAQ" | "DSTC9";
export const DEV_SET_NAMES: readonly DevSetName[] = ["StackFAQ", "banking77", "sample FAQ", "DSTC9"];

/**
 * Every development set, embedded with `embedder`:
 * - StackFAQ: 719 entries, 1,249 paraphrases (relevant: every answer of the thread);
 * - banking77: every 5th train row (2,001) as past tickets, every 3rd test row (1,027) as queries (relevant: the
 *   tickets of its intent); the files are sorted by intent, so every intent keeps its share;
 * - sample FAQ: the Tidepool knowledge in knowledge/sources with its 49 labelled queries;
 * - DSTC9: 2,900 venue snippets with 48 questions we wrote.
 */
export async function loadDevSets(embedder: Embedder, names: readonly DevSetName[] = DEV_SET_NAMES): Promise<DevSet[]> {
  const sets: DevSet[] = [];
  for (const name of names) sets.push(await loadDevSet(name, embedder));
  return sets;
}

export async function loadDevSet(name: DevSetName, embedder: Embedder): Promise<DevSet> {
  const { store, queries } = await build(name, embedder);
  await embedder.embed(queries.map((q) => q.query));
  return { name, store, ...splitQueries(queries) };
}

async function build(name: DevSetName, embedder: Embedder): Promise<{ store: KnowledgeStore; queries: EvalQuery[] }> {
  switch (name) {
    case "StackFAQ": {
      const { entries, queries } = await loadStackFaq();
      return { store: (await buildFaqIndex(entries, embedder)).store, queries };
    }
    case "DSTC9": {
      const { entries, queries } = await loadDstc9();
      return { store: (await buildFaqIndex(entries, embedder)).store, queries };
    }
    case "banking77": {
      const { train, test } = bankingSample(await loadBanking77());
      const byIntent = new Map<string, string[]>();
      // The ticket text only: its intent label must not leak into what is searched.
      const pairs = train.map((t, i) => {
        const id = `ticket-${i}`;
        byIntent.set(t.category, [...(byIntent.get(t.category) ?? []), id]);
        return { id, question: t.text, answer: t.text };
      });
      const queries = test.map((t) => ({ query: t.text, relevant: byIntent.get(t.category) ?? [] }));
      return { store: (await buildFaqIndex(pairs, embedder)).store, queries };
    }
    case "sample FAQ": {
      const store = await LocalKnowledgeStore.open({ embedder });
      await ingest({ store, embedder, connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })] });
      return { store, queries: await readQueriesFile(SAMPLE_QUERIES_FILE) };
    }
  }
}

/**
 * A fixed split by a hash of the query text (FNV-1a), about half and half: the same query always lands on the same
 * side, whatever order or subset the file is read in.
 */
export function splitQueries(queries: readonly EvalQuery[]): { tune: EvalQuery[]; heldOut: EvalQuery[] } {
  const tune: EvalQuery[] = [];
  const heldOut: EvalQuery[] = [];
  for (const q of queries) (fnv1a(q.query) % 2 === 0 ? tune : heldOut).push(q);
  return { tune, heldOut };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The banking77 rows the development set uses: all 77 intents, a fifth of the tickets, a third of the queries (embedding all 13k texts takes long on a shared machine). */
export function bankingSample<T>(data: { train: T[]; test: T[] }): { train: T[]; test: T[] } {
  return { train: data.train.filter((_, i) => i % 5 === 0), test: data.test.filter((_, i) => i % 3 === 0) };
}

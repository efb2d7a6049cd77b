import { resolve } from "node:path";
import type { EvalQuery } from "../../src/eval/readQueriesFile.js";
import { readQueriesFile } from "../../src/eval/readQueriesFile.js";
import { DATASETS_DIR, readDataset, type FaqPair } from "./stackfaq.js";

interface Dstc9File {
  [domain: string]: Record<string, { name?: string | null; docs: Record<string, { title: string; body: string }> }>;
}

/** Questions we wrote (one per sampled snippet, as a guest would type them), labelled with the snippet they ask about. */
export const DSTC9_QUERIES_FILE = resolve(process.cwd(), "test/fixtures/datasets/dstc9-queries.jsonl");

/**
 * DSTC9 track 1 knowledge (2,900 snippets about Cambridge hotels, restaurants, taxis and trains) as one FAQ:
 * entry `<domain>-<entity>-<doc>`, its question prefixed with the entity's name as an FAQ page per venue would
 * group it ("Acorn Guest House: What time is check in?"). Many venues share a question, so the venue's name
 * is what tells them apart. The queries are ours (the dataset's user turns are not public).
 */
export async function loadDstc9(dir = DATASETS_DIR): Promise<{ entries: FaqPair[]; queries: EvalQuery[] }> {
  const file = JSON.parse(await readDataset(dir, "dstc9/knowledge.json")) as Dstc9File;
  const entries: FaqPair[] = [];
  for (const [domain, entities] of Object.entries(file)) {
    for (const [entity, { name, docs }] of Object.entries(entities)) {
      for (const [doc, { title, body }] of Object.entries(docs)) {
        const venue = name && name !== "*" ? `${titleCase(name)}: ` : `${titleCase(domain)}: `;
        entries.push({ id: `${domain}-${entity}-${doc}`, question: `${venue}${title}`, answer: body });
      }
    }
  }
  return { entries, queries: await readQueriesFile(DSTC9_QUERIES_FILE) };
}

function titleCase(name: string): string {
  return name.toLowerCase().replace(/\b\p{L}/gu, (c) => c.toUpperCase());
}

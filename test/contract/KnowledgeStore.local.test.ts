import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { knowledgeStoreContract, knowledgeStoreWriterContract, track, type KnowledgeStoreImplementation } from "./KnowledgeStore.contract.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const local: KnowledgeStoreImplementation = track({
  name: "LocalKnowledgeStore (index directory)",
  async place() {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-knowledge-"));
    dirs.push(dir);
    return join(dir, "index");
  },
  open: (dir, options) => LocalKnowledgeStore.open({ dir, ...options, vectorIndex: "hnsw", pollMs: 200 }),
});
knowledgeStoreContract(local);
knowledgeStoreWriterContract(local);

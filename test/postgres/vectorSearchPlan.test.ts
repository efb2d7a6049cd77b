import { describe, expect, it } from "vitest";
import { hnswIndexName } from "../../src/postgres/hnswIndex.js";
import { PostgresKnowledgeStore, vectorSearchQuery } from "../../src/postgres/PostgresKnowledgeStore.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

// searchVectors' plan, which results alone cannot show: on a few hundred chunks an exact scan finds what HNSW finds.
const database = useTestDatabase();
/** Real embeddings' size: each vector is too big for its row and is stored out of line, which the planner does not count. */
const D = 512;

const vector = (i: number) => Array.from({ length: D }, (_, d) => Math.sin(i * 7 + d * 0.1));

describe("PostgresKnowledgeStore.searchVectors", () => {
  it("uses the knowledge base's HNSW index even where a scan looks cheaper to the planner (few chunks, analyzed); exact mode scans", async () => {
    const postgres = await database.postgres();
    const knowledge = database.knowledge();
    const store = await PostgresKnowledgeStore.open({ postgres, knowledge, embedder: { id: "test", dimensions: D }, create: true });
    const upserts = Array.from({ length: 40 }, (_, i) => {
      const doc = { id: `doc-${i}`, kind: "faq" as const, title: `Question ${i}`, text: `Answer ${i}`, contentHash: `h${i}` };
      return { doc, origin: "test", chunks: [{ id: doc.id, docId: doc.id, title: doc.title, text: doc.text }], vectors: [vector(i)] };
    });
    await store.apply({ upserts });
    await postgres.query("ANALYZE llamadesk_chunks");

    const plan = (mode: "hnsw" | "exact") =>
      postgres.transaction(async (client) => {
        const { settings, sql } = vectorSearchQuery(knowledge, D, mode, 100);
        await client.query(settings);
        const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, [`[${vector(3).join(",")}]`, 10]);
        // The plan's nodes, without the query vector they print.
        return rows.map((r) => r["QUERY PLAN"]).filter((line) => !/Order By|Sort Key/.test(line)).join("\n");
      });
    const index = hnswIndexName(knowledge, D);
    expect(await plan("hnsw")).toContain(`Index Scan using ${index}`);
    // Built wider than pgvector's default (ef_construction 64), for recall at the same search cost.
    const { rows } = await postgres.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = $1", [index]);
    expect(rows[0]!.indexdef).toMatch(/WITH \(m='16', ef_construction='200'\)/);
    expect(await plan("exact")).not.toContain(index);
    expect((await store.searchVectors(vector(3), 3))[0]).toEqual({ id: "doc-3", score: expect.closeTo(1, 5) });
    await store.dispose();
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExactVectorIndex } from "../../src/knowledge/ExactVectorIndex.js";
import { HnswVectorIndex } from "../../src/knowledge/HnswVectorIndex.js";
import { isLlamadeskError } from "../../src/errors.js";
import type { VectorIndex } from "../../src/knowledge/VectorIndex.js";
import { seededRandom, randomUnitVectors } from "../support/randomVectors.js";

interface Implementation {
  name: string;
  create(dimensions: number): VectorIndex;
  load(dir: string, dimensions: number): Promise<VectorIndex>;
}

// One suite, every implementation: what a VectorIndex promises, it keeps.
const implementations: Implementation[] = [
  { name: "HnswVectorIndex", create: (d) => new HnswVectorIndex(d), load: (dir, d) => HnswVectorIndex.load(dir, d) },
  { name: "ExactVectorIndex", create: (d) => new ExactVectorIndex(d), load: (dir, d) => ExactVectorIndex.load(dir, d) },
];

describe.each(implementations)("VectorIndex contract: $name", (impl) => {
  const dims = 32;
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  const filled = (n: number, seed = 1) => {
    const index = impl.create(dims);
    const vectors = randomUnitVectors(n, dims, seededRandom(seed));
    index.upsert(vectors.map((vector, i) => ({ id: `doc-${i}`, vector })));
    return { index, vectors };
  };

  it("finds a stored vector as its own nearest neighbour with similarity 1", () => {
    const { index, vectors } = filled(200);
    const [hit] = index.search(vectors[17]!, 1);
    expect(hit!.id).toBe("doc-17");
    expect(hit!.score).toBeCloseTo(1, 4);
    expect(index.size).toBe(200);
  });

  it("returns hits closest first, and at most as many as it holds", () => {
    const { index, vectors } = filled(5);
    const hits = index.search(vectors[0]!, 10);
    expect(hits).toHaveLength(5);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score - 1e-6);
    expect(impl.create(dims).search(vectors[0]!, 3)).toEqual([]);
  });

  it("never returns a deleted id, and replacing an id moves it", () => {
    const { index, vectors } = filled(100);
    expect(index.delete(["doc-3", "doc-4", "missing"])).toBe(2);
    expect(index.has("doc-3")).toBe(false);
    expect(index.size).toBe(98);
    const ids = index.search(vectors[3]!, 100).map((h) => h.id);
    expect(ids).not.toContain("doc-3");
    expect(ids).not.toContain("doc-4");
    expect(ids).toHaveLength(98);

    index.upsert([{ id: "doc-5", vector: vectors[60]! }]);
    expect(index.size).toBe(98);
    expect(index.search(vectors[60]!, 2).map((h) => h.id).sort()).toEqual(["doc-5", "doc-60"]);
    expect(index.similarity(vectors[5]!, ["doc-5"])[0]!).toBeLessThan(0.99);
  });

  it("similarity gives the cosine for known ids and NaN for unknown ones", () => {
    const { index, vectors } = filled(10);
    const [self, other, unknown] = index.similarity(vectors[2]!, ["doc-2", "doc-7", "nope"]);
    expect(self).toBeCloseTo(1, 5);
    const expected = vectors[2]!.reduce((s, x, i) => s + x * vectors[7]![i]!, 0);
    expect(other).toBeCloseTo(expected, 4);
    expect(unknown).toBeNaN();
  });

  it("vectorsOf gives the stored vectors, unit length in the direction given, also after a save and load; undefined for unknown ids", async () => {
    const index = impl.create(dims);
    // Not unit length, so a copy that kept them as given would show it.
    const given = randomUnitVectors(20, dims, seededRandom(11)).map((v, i) => v.map((x) => x * (i + 2)));
    index.upsert(given.map((vector, i) => ({ id: `doc-${i}`, vector })));
    index.delete(["doc-4"]);
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-vi-"));
    dirs.push(dir);
    await index.save(dir);
    for (const source of [index, await impl.load(dir, dims)]) {
      const [a, deleted, b, unknown] = source.vectorsOf(["doc-3", "doc-4", "doc-17", "nope"]);
      expect(deleted).toBeUndefined();
      expect(unknown).toBeUndefined();
      for (const [vector, i] of [[a, 3], [b, 17]] as const) {
        expect(vector).toHaveLength(dims);
        expect(Math.hypot(...vector!)).toBeCloseTo(1, 5);
        const norm = Math.hypot(...given[i]!);
        vector!.forEach((x, j) => expect(x).toBeCloseTo(given[i]![j]! / norm, 5));
      }
      // A copy searched as the original: same hits, same scores.
      const copy = impl.create(dims);
      const ids = Array.from({ length: 20 }, (_, i) => `doc-${i}`).filter((id) => id !== "doc-4");
      copy.upsert(source.vectorsOf(ids).map((vector, i) => ({ id: ids[i]!, vector: vector! })));
      expect(copy.search(given[9]!, 5).map((h) => h.id)).toEqual(index.search(given[9]!, 5).map((h) => h.id));
    }
  });

  it("survives a save and load with the same answers, deletions included", async () => {
    const { index, vectors } = filled(300, 7);
    index.delete(["doc-0", "doc-1"]);
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-vi-"));
    dirs.push(dir);
    await index.save(dir);
    const loaded = await impl.load(dir, dims);
    expect(loaded.size).toBe(298);
    for (const q of [0, 1, 50, 299]) {
      expect(loaded.search(vectors[q]!, 5)).toEqual(index.search(vectors[q]!, 5));
    }
    loaded.upsert([{ id: "new", vector: vectors[0]! }]);
    expect(loaded.search(vectors[0]!, 1)[0]!.id).toBe("new");
  });

  it("rejects vectors of the wrong dimension with a coded error", () => {
    const index = impl.create(dims);
    let error: unknown;
    try {
      index.upsert([{ id: "x", vector: [1, 0, 0] }]);
    } catch (e) {
      error = e;
    }
    expect(isLlamadeskError(error, "EMBEDDER_MISMATCH")).toBe(true);
  });
});

describe("HnswVectorIndex options", () => {
  it("search-time options given at load override the saved ones; build options stay", async () => {
    const index = new HnswVectorIndex(8, { efSearch: 16, m: 8 });
    index.upsert(randomUnitVectors(20, 8, seededRandom(5)).map((vector, i) => ({ id: `v${i}`, vector })));
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-ef-"));
    try {
      await index.save(dir);
      expect((await HnswVectorIndex.load(dir, 8)).efSearch).toBe(16);
      const tuned = await HnswVectorIndex.load(dir, 8, { efSearch: 300 });
      expect(tuned.efSearch).toBe(300);
      expect(tuned.search(randomUnitVectors(1, 8, seededRandom(9))[0]!, 20)).toHaveLength(20);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("HnswVectorIndex compaction", () => {
  it("compacts once tombstones pile up and still finds every live vector", () => {
    const index = new HnswVectorIndex(16, { compactionThreshold: 0.25 });
    const vectors = randomUnitVectors(400, 16, seededRandom(3));
    index.upsert(vectors.map((vector, i) => ({ id: `d${i}`, vector })));
    index.delete(vectors.slice(0, 90).map((_, i) => `d${i}`));
    // 90 of 400 stored are tombstones (22.5%): not yet compacted.
    expect(index.deletedCount).toBe(90);
    index.delete(["d90", "d91", "d92", "d93", "d94", "d95", "d96", "d97", "d98", "d99", "d100"]);
    // 101 of 400 (25.25%): compacted, no tombstones left.
    expect(index.deletedCount).toBe(0);
    expect(index.size).toBe(299);
    for (const i of [101, 200, 399]) expect(index.search(vectors[i]!, 1)[0]!.id).toBe(`d${i}`);
  });
});

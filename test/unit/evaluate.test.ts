import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/eval/evaluate.js";
import { readQueriesFile } from "../../src/eval/readQueriesFile.js";
import { isLlamadeskError } from "../../src/errors.js";
import type { Passage } from "../../src/types.js";

const passage = (docId: string, chunk = docId): Passage => ({ chunkId: chunk, docId, kind: "faq", title: docId, text: "", score: 1, signals: {} });

describe("evaluate", () => {
  it("computes MRR and recall over distinct docs", async () => {
    const rankings: Record<string, Passage[]> = {
      q1: [passage("a"), passage("b")], // rank 1
      q2: [passage("x"), passage("x", "x@2"), passage("b")], // rank 2: chunks of x count once
      q3: [passage("x"), passage("y"), passage("z"), passage("w"), passage("v"), passage("c")], // rank 6
      q4: [passage("x")], // absent
    };
    const m = await evaluate(
      [
        { query: "q1", relevant: ["a"] },
        { query: "q2", relevant: ["b"] },
        { query: "q3", relevant: ["c"] },
        { query: "q4", relevant: ["d"] },
      ],
      async (q) => rankings[q]!,
      { k: 10 },
    );
    expect(m.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 6) / 4, 10);
    expect(m.recall_at_1).toBe(0.25);
    expect(m.recall_at_5).toBe(0.5);
    expect(m.recall_at_k).toBe(0.75);
    expect(m.misses.map((x) => [x.query, x.rank])).toEqual([
      ["q4", null],
      ["q3", 6],
      ["q2", 2],
    ]);
  });

  it("MRR@k ignores ranks past k", async () => {
    const m = await evaluate([{ query: "q", relevant: ["c"] }], async () => [passage("a"), passage("b"), passage("c")], { k: 2 });
    expect(m.mrr).toBe(0);
    expect(m.recall_at_5).toBe(1);
  });
});

describe("readQueriesFile", () => {
  const write = async (text: string) => {
    const file = join(await mkdtemp(join(tmpdir(), "llamadesk-q-")), "q.jsonl");
    await writeFile(file, text);
    return file;
  };

  it("reads JSONL and skips blank lines", async () => {
    const file = await write('{"query":"a?","relevant":["x"]}\n\n{"query":"b?","relevant":["y","z"]}\n');
    expect(await readQueriesFile(file)).toEqual([
      { query: "a?", relevant: ["x"] },
      { query: "b?", relevant: ["y", "z"] },
    ]);
  });

  it("names every bad line with its number", async () => {
    const file = await write('{"query":"a?","relevant":["x"]}\nnot json\n{"query":"","relevant":["x"]}\n{"query":"c","relevant":[]}\n');
    const error = await readQueriesFile(file).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "QUERIES_INVALID")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`${file}:2: not valid JSON`);
    expect(message).toContain(`${file}:3: "query"`);
    expect(message).toContain(`${file}:4: "relevant"`);
  });
});

import { describe, expect, it } from "vitest";
import { diversify, jaccard } from "../../src/retrieval/diversify.js";
import { fuseScores, rankFuseScores, reciprocalRankFusion } from "../../src/retrieval/fuseScores.js";
import { repeatedQuestionsLast } from "../../src/retrieval/HybridRetriever.js";

describe("fuseScores", () => {
  it("min-max normalises each column and mixes them by weight", () => {
    const fused = fuseScores(
      [
        [10, 5, 0],
        [0.2, 0.9, 0.5],
      ],
      [0.5, 0.5],
    );
    expect(fused[0]).toBeCloseTo(0.5 * 1 + 0.5 * 0, 10);
    expect(fused[1]).toBeCloseTo(0.5 * 0.5 + 0.5 * 1, 10);
    expect(fused[2]).toBeCloseTo(0.5 * 0 + 0.5 * (0.3 / 0.7), 10);
  });

  it("treats NaN as the column minimum and a constant column as full marks", () => {
    expect(fuseScores([[Number.NaN, 4, 2]], [1])).toEqual([0, 1, 0]);
    expect(fuseScores([[3, 3]], [1])).toEqual([1, 1]);
  });
});

describe("reciprocalRankFusion", () => {
  it("sums 1/(k+rank) over rankings", () => {
    const scores = reciprocalRankFusion([["a", "b"], ["b", "c"]], 60);
    expect(scores.get("b")).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(scores.get("a")).toBeCloseTo(1 / 61, 12);
    expect(scores.get("c")).toBeCloseTo(1 / 62, 12);
  });
});

describe("rankFuseScores", () => {
  it("sums weight / (k + rank) per column; ties share the better rank; unmatched (0, NaN) adds nothing", () => {
    const fused = rankFuseScores(
      [
        [12, 0, 12, 3],
        [0.9, 0.8, Number.NaN, 0.95],
      ],
      [1, 1],
      10,
    );
    expect(fused[0]).toBeCloseTo(1 / 11 + 1 / 12, 12);
    expect(fused[1]).toBeCloseTo(1 / 13, 12);
    expect(fused[2]).toBeCloseTo(1 / 11, 12);
    expect(fused[3]).toBeCloseTo(1 / 13 + 1 / 11, 12);
  });

  it("weights scale a column's contribution; only ranks count, not the scale of scores", () => {
    const a = rankFuseScores([[100, 1], [0.5, 0.6]], [1.2, 0.8], 60);
    const b = rankFuseScores([[2, 1], [0.1, 0.9]], [1.2, 0.8], 60);
    expect(a).toEqual(b);
    expect(a[0]).toBeGreaterThan(a[1]!);
  });
});

describe("repeatedQuestionsLast", () => {
  it("moves later FAQ entries of a question already listed below the other questions, keeping order", () => {
    const p = (id: string, title: string, kind: "faq" | "doc" = "faq") => ({ id, title, kind });
    const list = [p("t1-a0", "Strike through in Gmail?"), p("t1-a1", "strike  through in gmail?"), p("t2", "Markdown on GitHub"), p("d1", "Guide", "doc"), p("d2", "Guide", "doc"), p("t1-a2", "Strike through in Gmail?")];
    expect(repeatedQuestionsLast(list).map((x) => x.id)).toEqual(["t1-a0", "t2", "d1", "d2", "t1-a1", "t1-a2"]);
  });
});

describe("diversify", () => {
  const terms = (s: string) => new Set(s.split(" "));
  const candidates = [
    { id: "a1", score: 1.0, titleTerms: terms("strikethrough gmail") },
    { id: "a2", score: 0.97, titleTerms: terms("strikethrough gmail") },
    { id: "a3", score: 0.95, titleTerms: terms("strikethrough gmail") },
    { id: "b", score: 0.93, titleTerms: terms("strikethrough github markdown") },
    { id: "c", score: 0.5, titleTerms: terms("delete account") },
  ];

  it("lets the next-best distinct question past repeats of the same one", () => {
    expect(diversify(candidates, 0.6).map((c) => c.id)).toEqual(["a1", "b", "a2", "a3", "c"]);
  });

  it("with lambda 1 is a plain sort by score", () => {
    expect(diversify([...candidates].reverse(), 1).map((c) => c.id)).toEqual(["a1", "a2", "a3", "b", "c"]);
  });

  it("jaccard is shared over union", () => {
    expect(jaccard(terms("a b c"), terms("b c d"))).toBeCloseTo(2 / 4);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { chunkDoc, estimateTokens } from "../../src/knowledge/chunkDoc.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";

const paragraph = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ") + ".";

describe("chunkDoc", () => {
  it("keeps an FAQ entry whole, however long", () => {
    const doc = makeSourceDoc({ id: "faq#long", kind: "faq", title: "Q?", text: paragraph(2000, "w") });
    const chunks = chunkDoc(doc, { maxTokens: 50 });
    expect(chunks).toEqual([{ id: "faq#long", docId: "faq#long", title: "Q?", text: doc.text }]);
  });

  it("splits a long document on headings and paragraphs within the budget, with overlap", () => {
    const text = [
      "# Install",
      paragraph(60, "a"),
      "",
      paragraph(60, "b"),
      "",
      "# Configure",
      paragraph(30, "c"),
    ].join("\n");
    const doc = makeSourceDoc({ id: "guide", kind: "doc", title: "Guide", text });
    const chunks = chunkDoc(doc, { maxTokens: 100, overlapTokens: 20 });
    expect(chunks.map((c) => c.id)).toEqual(["guide@1", "guide@2", "guide@3"]);
    expect(chunks.map((c) => c.title)).toEqual(["Guide — Install", "Guide — Install", "Guide — Configure"]);
    for (const c of chunks) expect(estimateTokens(c.text)).toBeLessThanOrEqual(100);
    // The second chunk starts with the last words of the first (the overlap), then the next paragraph.
    expect(chunks[1]!.text.startsWith("a41 a42")).toBe(true);
    expect(chunks[1]!.text).toContain("a59.\n\nb0 b1");
    expect(chunks[1]!.text.endsWith("b59.")).toBe(true);
    expect(chunks[2]!.text.startsWith("c0")).toBe(true);
  });

  it("splits an over-long paragraph into sentences and words", () => {
    const doc = makeSourceDoc({ id: "wall", kind: "doc", title: "Wall", text: paragraph(500, "x") });
    const chunks = chunkDoc(doc, { maxTokens: 64, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(estimateTokens(c.text)).toBeLessThanOrEqual(64);
    expect(chunks.map((c) => c.text).join(" ")).toBe(doc.text);
  });

  it("does not treat # lines inside code fences as headings", () => {
    const text = ["```sh", "# not a heading", "```", paragraph(300, "z")].join("\n");
    const chunks = chunkDoc(makeSourceDoc({ id: "d", kind: "doc", title: "T", text }), { maxTokens: 200 });
    expect(chunks.every((c) => c.title === "T")).toBe(true);
  });
});

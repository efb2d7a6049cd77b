import { describe, expect, it } from "vitest";
import { Bm25Index } from "../../src/knowledge/Bm25Index.js";

const docs = [
  { id: "refund", title: "How do I get a refund?", text: "Open Billing and click Request refund within 30 days." },
  { id: "invoice", title: "Where are my invoices?", text: "Invoices are under Billing, as PDF." },
  { id: "sync", title: "Why is sync slow?", text: "Check the bandwidth limit in Preferences." },
];

describe("Bm25Index", () => {
  it("ranks the doc sharing the rare query terms first", () => {
    const index = new Bm25Index();
    docs.forEach((d) => index.upsert(d));
    const hits = index.search("refunds please", 3);
    expect(hits.map((h) => h.id)).toEqual(["refund"]);
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(index.search("billing", 3).map((h) => h.id).sort()).toEqual(["invoice", "refund"]);
  });

  it("weights title terms above body terms", () => {
    const index = new Bm25Index({ titleWeight: 2 });
    index.upsert({ id: "title", title: "bandwidth limits", text: "See the settings page for this." });
    index.upsert({ id: "body", title: "Settings overview", text: "The page also shows bandwidth." });
    expect(index.search("bandwidth", 2)[0]!.id).toBe("title");
  });

  it("forgets deleted and replaced docs entirely", () => {
    const index = new Bm25Index();
    docs.forEach((d) => index.upsert(d));
    expect(index.delete("refund")).toBe(true);
    expect(index.delete("refund")).toBe(false);
    expect(index.search("refund", 5)).toEqual([]);
    index.upsert({ id: "sync", title: "LAN sync", text: "Devices on one network sync directly." });
    expect(index.search("bandwidth", 5)).toEqual([]);
    expect(index.search("network", 5).map((h) => h.id)).toEqual(["sync"]);
    expect(index.size).toBe(2);
  });

  it("scoreAll gives the same scores as search, and 0 for non-matching or unknown ids", () => {
    const index = new Bm25Index();
    docs.forEach((d) => index.upsert(d));
    const [hit] = index.search("invoices pdf", 1);
    const [same, none, unknown] = index.scoreAll("invoices pdf", ["invoice", "sync", "nope"]);
    expect(same).toBeCloseTo(hit!.score, 10);
    expect(none).toBe(0);
    expect(unknown).toBe(0);
  });
});

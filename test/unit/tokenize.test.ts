import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/knowledge/tokenize.js";

describe("tokenize", () => {
  it("lower-cases, drops stopwords and stems English words", () => {
    expect(tokenize("How do I get Refunds for my Invoices?")).toEqual(["refund", "invoic"]);
  });

  it("folds accents and keeps numbers and non-Latin words", () => {
    expect(tokenize("Café 2FA résumé 404")).toEqual(["cafe", "2fa", "resum", "404"]);
    expect(tokenize("ファイル 同期")).toEqual(["ファイル", "同期"]);
  });

  it("returns nothing for punctuation only", () => {
    expect(tokenize("?!... --")).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { FaqFilesConnector } from "./index.js";

// The shipped demo knowledge is what a new user sees first: it must ingest cleanly, and the
// eval queries must point at ids that exist, or every retrieval score is silently wrong.
const sources = fileURLToPath(new URL("../../knowledge/sources", import.meta.url));
const queries = fileURLToPath(new URL("../../knowledge/eval/sample-queries.jsonl", import.meta.url));

async function pullSamples(): Promise<{ docs: SourceDoc[]; issues: SourceIssue[] }> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  for await (const doc of new FaqFilesConnector({ paths: [sources] }).pull({ onIssue: (issue) => issues.push(issue) })) {
    docs.push(doc);
  }
  return { docs, issues };
}

describe("shipped sample knowledge", () => {
  it("ingests with no issues, in every supported format", async () => {
    const { docs, issues } = await pullSamples();

    expect(issues).toEqual([]);
    expect(docs.length).toBeGreaterThanOrEqual(45);
    const extensions = new Set(docs.map((doc) => doc.location?.file.split(".").pop()));
    expect([...extensions].sort()).toEqual(["csv", "json", "md"]);
  });

  it("has eval queries whose relevant ids all exist", async () => {
    const ids = new Set((await pullSamples()).docs.map((doc) => doc.id));
    const lines = readFileSync(queries, "utf8").trim().split("\n");

    expect(lines.length).toBeGreaterThanOrEqual(30);
    for (const line of lines) {
      const { query, relevant } = JSON.parse(line) as { query: unknown; relevant: unknown };
      expect(typeof query === "string" && query.length > 0, line).toBe(true);
      expect(Array.isArray(relevant) && relevant.length > 0, line).toBe(true);
      for (const id of relevant as string[]) expect(ids.has(id), `${id} in ${line}`).toBe(true);
    }
  });
});

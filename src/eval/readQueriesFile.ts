import { readFile } from "node:fs/promises";
import { LlamadeskError } from "../errors.js";

/** One evaluation query: the text a customer would type and the doc ids that answer it. */
export interface EvalQuery {
  query: string;
  relevant: string[];
}

/**
 * Reads a JSONL file of `{"query": "...", "relevant": ["docId", ...]}` lines. Blank
 * lines are skipped; any malformed line fails the whole read, naming file and line,
 * since an evaluation over silently dropped queries would report the wrong figures.
 */
export async function readQueriesFile(path: string): Promise<EvalQuery[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new LlamadeskError("QUERIES_INVALID", `Cannot read the queries file ${path}: ${(cause as Error).message}`, { cause });
  }
  const queries: EvalQuery[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`${where}: not valid JSON`);
      return;
    }
    const q = value as Partial<EvalQuery> | null;
    if (!q || typeof q.query !== "string" || !q.query.trim()) {
      problems.push(`${where}: "query" must be a non-empty string`);
    } else if (!Array.isArray(q.relevant) || q.relevant.length === 0 || !q.relevant.every((r) => typeof r === "string")) {
      problems.push(`${where}: "relevant" must be a non-empty array of doc ids`);
    } else {
      queries.push({ query: q.query, relevant: q.relevant });
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join("\n  ");
    const more = problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : "";
    throw new LlamadeskError(
      "QUERIES_INVALID",
      `The queries file has ${problems.length} bad line(s); each line must be {"query": "...", "relevant": ["docId"]}:\n  ${shown}${more}`,
    );
  }
  if (queries.length === 0) throw new LlamadeskError("QUERIES_INVALID", `The queries file ${path} has no queries.`);
  return queries;
}

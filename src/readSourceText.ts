import { readFile } from "node:fs/promises";
import type { SourceIssue } from "./types.js";

/**
 * Reads a connector's input file as UTF-8. A file that cannot be read is reported (named by
 * `relativePath`, as citations name it) and gives undefined, so the connector skips it and the
 * rest still ingests.
 */
export async function readSourceText(file: { path: string; relativePath: string }, report: (issue: SourceIssue) => void): Promise<string | undefined> {
  try {
    return await readFile(file.path, "utf8");
  } catch (error) {
    report({ file: file.relativePath, message: `cannot read file, skipped: ${(error as Error).message}` });
    return undefined;
  }
}

import type { SourceIssue } from "../../src/types.js";
import type { FaqEntry, FaqParseResult } from "./FaqEntry.js";
import { scanJsonElements } from "./scanJsonElements.js";

const LIST_KEYS = ["entries", "faq"] as const;

/**
 * Reads a JSON FAQ: an array of `{ id?, question, answer, url?, tags? }`, or an object
 * holding that array under `entries` or `faq`. Each bad element is reported with the
 * line where it starts and skipped; the good ones are kept. A syntax error skips the
 * whole file, because nothing after it can be trusted. `null` optional fields count as absent.
 *
 * @param file relative path of the file, used in issues
 */
export function parseJsonFaq(text: string, file: string): FaqParseResult {
  const source = text.replace(/^\uFEFF/, "");
  const lineAt = lineFinder(source);

  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\s+/g, " ") : String(error);
    const line = syntaxErrorLine(source, message, lineAt);
    return {
      entries: [],
      issues: [
        {
          file,
          ...(line !== undefined ? { line } : {}),
          message: `invalid JSON, so nothing in this file was ingested: ${message}. Fix the syntax (often a trailing comma or a missing quote).`,
        },
      ],
    };
  }

  const scan = scanJsonElements(source);
  const listKey = isPlainObject(data) ? LIST_KEYS.find((key) => Array.isArray(data[key])) : undefined;
  const list = Array.isArray(data) ? data : listKey !== undefined && isPlainObject(data) ? data[listKey] : undefined;
  const offsets = !scan.ok ? undefined : Array.isArray(data) ? scan.root : listKey !== undefined ? scan.keys.get(listKey) : undefined;
  if (!Array.isArray(list)) {
    return {
      entries: [],
      issues: [
        {
          file,
          ...(scan.ok ? { line: lineAt(scan.start) } : {}),
          message: 'expected an array of { "question", "answer" } objects, or an object with an "entries" or "faq" array: wrap the entries in [ ... ]',
        },
      ],
    };
  }

  const entries: FaqEntry[] = [];
  const issues: SourceIssue[] = [];
  list.forEach((element: unknown, index) => {
    const offset = offsets?.[index];
    const line = offset !== undefined ? lineAt(offset) : undefined;
    const result = toEntry(element);
    if (typeof result === "string") {
      issues.push({ file, ...(line !== undefined ? { line } : {}), message: `entry ${index + 1} skipped: ${result}` });
    } else {
      entries.push({ ...result, line: line ?? 1 });
    }
  });
  return { entries, issues };
}

/** The entry, or why it is not one. */
function toEntry(element: unknown): Omit<FaqEntry, "line"> | string {
  if (!isPlainObject(element)) return `expected an object with "question" and "answer", got ${describe(element)}`;

  const problems: string[] = [];
  const question = requiredText(element, "question", problems);
  const answer = requiredText(element, "answer", problems);
  const id = optionalText(element, "id", problems);
  const url = optionalText(element, "url", problems);
  const tags = element.tags;
  if (tags != null && !Array.isArray(tags)) problems.push(`"tags" must be an array of strings, got ${describe(tags)}`);
  const badTag = Array.isArray(tags) ? tags.findIndex((tag) => typeof tag !== "string") : -1;
  if (badTag !== -1) problems.push(`"tags" must be an array of strings, but tag ${badTag + 1} is ${describe((tags as unknown[])[badTag])}`);
  if (problems.length > 0 || question === undefined || answer === undefined) return problems.join("; ");

  const cleanTags = Array.isArray(tags) ? tags.map((tag: string) => tag.trim()).filter((tag) => tag !== "") : [];
  return {
    ...(id !== undefined ? { id } : {}),
    question,
    answer,
    ...(url !== undefined ? { url } : {}),
    ...(cleanTags.length > 0 ? { tags: cleanTags } : {}),
  };
}

function requiredText(element: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const value = element[key];
  if (value == null) problems.push(`"${key}" is missing`);
  else if (typeof value !== "string") problems.push(`"${key}" must be a string, got ${describe(value)}`);
  else if (value.trim() === "") problems.push(`"${key}" is empty`);
  else return value.trim();
  return undefined;
}

function optionalText(element: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const value = element[key];
  if (value == null) return undefined;
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  problems.push(`"${key}" must be a non-empty string when present, got ${describe(value)}`);
  return undefined;
}

/** Node 22+ says "(line 3 column 5)", Node 20 "at position 42", and sometimes neither; then our own scanner finds the spot. */
export function syntaxErrorLine(source: string, message: string, lineAt: (offset: number) => number): number | undefined {
  const lineColumn = /\(line (\d+) column \d+\)/.exec(message);
  if (lineColumn !== null) return Number(lineColumn[1]);
  const position = /at position (\d+)/.exec(message);
  if (position !== null) return lineAt(Number(position[1]));
  const scan = scanJsonElements(source);
  return scan.ok ? undefined : lineAt(scan.offset);
}

/** Maps an offset to its 1-based line with a binary search over line starts. */
export function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

import { CsvError, parse } from "csv-parse/sync";
import type { SourceIssue } from "../../src/types.js";
import type { FaqEntry, FaqParseResult } from "./FaqEntry.js";

interface ParsedRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

/**
 * Reads a CSV FAQ. The first row is the header and must have `question` and `answer`
 * columns (any case); `id`, `url` and `tags` are optional, other columns are ignored.
 * Tags are split on `;` or `|`. Quote fields that contain commas or line breaks.
 * Blank rows are skipped; a row with the wrong number of fields or an empty question or
 * answer is reported and skipped. A quoting error skips the whole file.
 *
 * @param file relative path of the file, used in issues
 */
export function parseCsvFaq(text: string, file: string): FaqParseResult {
  // csv-parse counts "\r\n" inside quoted fields as two lines; one line ending keeps line numbers right.
  const source = text.replace(/\r\n/g, "\n");
  let records: ParsedRecord[];
  try {
    // With `info` and `raw` each record comes wrapped with its position; the typings don't model that.
    records = parse(source, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return { entries: [], issues: [quotingIssue(error, file)] };
  }

  const rows = records.filter((row) => row.record.some((field) => field.trim() !== ""));
  const header = rows.shift();
  if (header === undefined) return { entries: [], issues: [] };
  const columns = header.record.map((name) => name.trim().toLowerCase());
  const column = (name: string) => columns.indexOf(name);
  const [questionAt, answerAt] = [column("question"), column("answer")];
  if (questionAt === -1 || answerAt === -1) {
    return {
      entries: [],
      issues: [
        {
          file,
          line: startLine(header),
          message: `the header row needs "question" and "answer" columns but has ${columns.map((name) => JSON.stringify(name)).join(", ")}: make the first row e.g. id,question,answer,url,tags`,
        },
      ],
    };
  }

  const entries: FaqEntry[] = [];
  const issues: SourceIssue[] = [];
  for (const row of rows) {
    const line = startLine(row);
    const field = (at: number) => (at === -1 ? "" : (row.record[at] ?? "").trim());
    if (row.record.length !== columns.length) {
      issues.push({
        file,
        line,
        message: `row has ${row.record.length} fields but the header has ${columns.length}: put quotes around fields that contain commas, and check for a missing or extra comma`,
      });
      continue;
    }
    const [question, answer] = [field(questionAt), field(answerAt)];
    if (question === "" || answer === "") {
      issues.push({ file, line, message: `row skipped: ${question === "" ? "question" : "answer"} is empty` });
      continue;
    }
    const [id, url] = [field(column("id")), field(column("url"))];
    const tags = field(column("tags"))
      .split(/[;|]/)
      .map((tag) => tag.trim())
      .filter((tag) => tag !== "");
    entries.push({
      ...(id !== "" ? { id } : {}),
      question,
      answer,
      ...(url !== "" ? { url } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      line,
    });
  }
  return { entries, issues };
}

/**
 * csv-parse reports the line where a record ends; its raw text (with `raw: true`, and
 * with the row's own line break at the end) tells how many lines it spans.
 */
function startLine(row: ParsedRecord): number {
  const spanned = row.raw.replace(/\n$/, "").split("\n").length - 1;
  return row.info.lines - spanned;
}

function quotingIssue(error: CsvError, file: string): SourceIssue {
  let line = typeof error.lines === "number" ? error.lines : undefined;
  // An unclosed quote is only noticed at the end of the file; the record it opened is where to look.
  if (error.code === "CSV_QUOTE_NOT_CLOSED" && line !== undefined && typeof error.raw === "string") {
    line = startLine({ record: [], raw: error.raw, info: { lines: line } });
  }
  return {
    file,
    ...(line !== undefined ? { line } : {}),
    message: `invalid CSV, so nothing in this file was ingested: ${error.message}. Fields with quotes must start and end with a quote, and quotes inside them are doubled ("").`,
  };
}

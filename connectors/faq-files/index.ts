import { z } from "zod";
import { delimiter, extname, resolve } from "node:path";
import { LlamadeskError } from "../../src/errors.js";
import { deriveDocId, makeSourceDoc } from "../../src/sourceDoc.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import type { FaqParseResult } from "./FaqEntry.js";
import { parseCsvFaq } from "./parseCsvFaq.js";
import { parseJsonFaq } from "./parseJsonFaq.js";
import { parseMarkdownFaq } from "./parseMarkdownFaq.js";
import { type FaqFile, walkFaqFiles } from "./walkFaqFiles.js";
import { readSourceText } from "../../src/readSourceText.js";

export type { FaqEntry, FaqParseResult } from "./FaqEntry.js";
export { parseCsvFaq } from "./parseCsvFaq.js";
export { parseJsonFaq } from "./parseJsonFaq.js";
export { parseMarkdownFaq } from "./parseMarkdownFaq.js";
export { FAQ_EXTENSIONS, type FaqFile, type WalkFaqFilesOptions, walkFaqFiles } from "./walkFaqFiles.js";

const PARSERS: Record<string, (text: string, file: string) => FaqParseResult> = {
  ".md": parseMarkdownFaq,
  ".markdown": parseMarkdownFaq,
  ".json": parseJsonFaq,
  ".csv": parseCsvFaq,
};

export interface FaqFilesConnectorOptions {
  /**
   * FAQ files, or directories walked recursively for .md, .markdown, .json and .csv files.
   * Ids and citations use the path relative to the directory given, or the file's basename
   * for a file given directly, so keep these stable: changing them changes every id.
   */
  paths: string[];
}

/**
 * Reads FAQ entries from Markdown, JSON and CSV files. Bad entries and unreadable files
 * are reported through `onIssue` and skipped; only a path that does not exist throws.
 */
export class FaqFilesConnector implements Connector {
  readonly name = "faq-files";
  /** The resolved paths, sorted and joined with the OS path delimiter, so listing them in another order is the same origin. */
  readonly origin: string;
  private readonly paths: string[];

  constructor(options: FaqFilesConnectorOptions) {
    const paths: unknown = (options as Partial<FaqFilesConnectorOptions> | undefined)?.paths;
    if (!Array.isArray(paths) || paths.length === 0) {
      throw new LlamadeskError("INVALID_OPTION", 'faq-files: `paths` must be a non-empty array of file or directory paths, e.g. { paths: ["knowledge/sources"] }');
    }
    const bad = paths.findIndex((path) => typeof path !== "string" || path.trim() === "");
    if (bad !== -1) {
      throw new LlamadeskError("INVALID_OPTION", `faq-files: \`paths[${bad}]\` must be a non-empty string, got ${JSON.stringify(paths[bad])}`);
    }
    this.paths = [...(paths as string[])];
    this.origin = [...new Set(this.paths.map((path) => resolve(path)))].sort().join(delimiter);
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = (issue: SourceIssue) => options.onIssue?.(issue);
    // Walk every path before yielding anything, so a typo in the last path fails fast.
    const files: FaqFile[] = [];
    for (const path of this.paths) files.push(...(await walkFaqFiles({ path, onIssue: report })));

    const seen = new Map<string, string>();
    for (const file of files) {
      options.signal?.throwIfAborted();
      const extension = extname(file.relativePath).toLowerCase();
      const parse = PARSERS[extension];
      if (parse === undefined) {
        report({ file: file.relativePath, message: `unsupported file type "${extension}", skipped: use .md, .markdown, .json or .csv` });
        continue;
      }
      const text = await readSourceText(file, report);
      if (text === undefined) continue;

      const { entries, issues } = parse(text, file.relativePath);
      issues.forEach(report);
      // A file that gives nothing without a problem to show for it would otherwise vanish without a word.
      if (entries.length === 0 && issues.length === 0) report({ file: file.relativePath, message: whyNoEntries(extension, text) });
      for (const entry of entries) {
        const id = entry.id ?? deriveDocId(file.relativePath, entry.question);
        const here = `${file.relativePath}:${entry.line}`;
        const first = seen.get(id);
        if (first !== undefined) {
          report({
            file: file.relativePath,
            line: entry.line,
            message: `duplicate id "${id}": already used at ${first}, so this entry at ${here} is skipped. Give one of them a different id or question.`,
          });
          continue;
        }
        seen.set(id, here);
        yield makeSourceDoc({
          id,
          kind: "faq",
          title: entry.question,
          text: entry.answer,
          ...(entry.url !== undefined ? { url: entry.url } : {}),
          ...(entry.tags !== undefined ? { tags: entry.tags } : {}),
          location: { file: file.relativePath, line: entry.line },
        });
      }
    }
  }
}

/** Why a file the parser found no fault with gave no entries, and what to write instead. */
function whyNoEntries(extension: string, text: string): string {
  if (text.trim() === "") return "empty file, skipped";
  if (extension === ".json") return 'no entries, skipped: the array is empty; add { "question": "...", "answer": "..." } objects';
  if (extension === ".csv") return "no rows under the header, skipped: add one row per question";
  return "no headings, so no questions, skipped: write each question as a heading (`## How do I ...?`) with its answer under it";
}

/** `{ "connector": "faq-files", "paths": ["knowledge/sources"] }` in the config file's `sources`; paths relative to the config file. */
export const definition: ConnectorDefinition<{ paths: string[] }> = {
  name: "faq-files",
  options: z.object({ paths: z.array(z.string().min(1)).min(1) }).strict(),
  create: (options, context) => new FaqFilesConnector({ paths: options.paths.map((path) => resolve(context.baseDir, path)) }),
};

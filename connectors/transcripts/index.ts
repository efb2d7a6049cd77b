import { delimiter, resolve } from "node:path";
import { z } from "zod";
import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import { parseAbcdTranscripts } from "./parseAbcdTranscripts.js";
import { parseJsonlTranscripts } from "./parseJsonlTranscripts.js";
import type { TranscriptParseResult } from "./TranscriptParseResult.js";
import { walkTranscriptFiles, type TranscriptFile } from "./walkTranscriptFiles.js";
import { readSourceText } from "../../src/readSourceText.js";

export { parseAbcdTranscripts } from "./parseAbcdTranscripts.js";
export { parseJsonlTranscripts, transcriptLineSchema, type TranscriptLine } from "./parseJsonlTranscripts.js";
export type { TranscriptParseResult } from "./TranscriptParseResult.js";
export { TRANSCRIPT_EXTENSIONS, walkTranscriptFiles, type TranscriptFile } from "./walkTranscriptFiles.js";

export type TranscriptFormat = "jsonl" | "abcd" | "auto";

export interface TranscriptsConnectorOptions {
  /** Transcript files, or directories walked recursively for .jsonl, .ndjson and .json files. */
  paths: string[];
  /**
   * `jsonl`: one transcript per line; `abcd`: ABCD JSON; `auto`: by extension (.jsonl/.ndjson are JSONL,
   * .json is ABCD). Defaults to `"auto"`.
   */
  format?: TranscriptFormat;
}

const optionsSchema = z
  .object({
    paths: z.array(z.string().trim().min(1, "must be a non-empty path")).min(1, "give at least one file or directory"),
    format: z.enum(["jsonl", "abcd", "auto"]).optional(),
  })
  .strict();

/**
 * Past support conversations from helpdesk transcript files: each transcript becomes a `chat`
 * SourceDoc (with its thread, for resolved-thread mining). A bad line or conversation is reported
 * through `onIssue` with its file and line and skipped; the rest ingests.
 */
export class TranscriptsConnector implements Connector {
  readonly name = "transcripts";
  readonly origin: string;
  private readonly paths: string[];
  private readonly format: TranscriptFormat;

  constructor(options: TranscriptsConnectorOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LlamadeskError("INVALID_OPTION", `transcripts: \`${issue.path.join(".") || "options"}\`: ${issue.message}, e.g. { paths: ["transcripts/"], format: "auto" }.`);
    }
    this.paths = parsed.data.paths;
    this.format = parsed.data.format ?? "auto";
    this.origin = [...new Set(this.paths.map((path) => resolve(path)))].sort().join(delimiter);
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = (issue: SourceIssue) => options.onIssue?.(issue);
    const files: TranscriptFile[] = [];
    for (const path of this.paths) files.push(...(await walkTranscriptFiles(path)));
    const seen = new Map<string, string>();
    for (const file of files) {
      options.signal?.throwIfAborted();
      const text = await readSourceText(file, report);
      if (text === undefined) continue;
      const { threads, issues } = this.parserFor(file)(text, file.relativePath);
      issues.forEach(report);
      for (const thread of threads) {
        const here = `${file.relativePath}:${thread.location?.line ?? 1}`;
        const first = seen.get(thread.id);
        if (first !== undefined) {
          report({ file: file.relativePath, ...(thread.location ? { line: thread.location.line } : {}), message: `duplicate transcript id "${thread.id}" (first at ${first}), skipped: give each transcript its own id.` });
          continue;
        }
        seen.set(thread.id, here);
        yield chatThreadToSourceDoc(thread);
      }
    }
  }

  private parserFor(file: TranscriptFile): (text: string, file: string) => TranscriptParseResult {
    if (this.format === "jsonl") return parseJsonlTranscripts;
    if (this.format === "abcd") return parseAbcdTranscripts;
    return file.relativePath.toLowerCase().endsWith(".json") ? parseAbcdTranscripts : parseJsonlTranscripts;
  }
}

/** `{ "connector": "transcripts", "paths": ["transcripts/"], "format": "auto" }` in the config file's `sources`; paths relative to the config file. */
export const definition: ConnectorDefinition<Required<Pick<TranscriptsConnectorOptions, "paths">> & Pick<TranscriptsConnectorOptions, "format">> = {
  name: "transcripts",
  options: optionsSchema,
  create: (options, context) =>
    new TranscriptsConnector({ paths: options.paths.map((path) => resolve(context.baseDir, path)), ...(options.format ? { format: options.format } : {}) }),
};

import type { SourceIssue } from "../../src/types.js";

/** One question and its answer as a parser found it, before it becomes a SourceDoc. */
export interface FaqEntry {
  /** Explicit id from the source; when absent the connector derives one from path + question. */
  id?: string;
  question: string;
  /** Trimmed; Markdown is kept as written. */
  answer: string;
  url?: string;
  tags?: string[];
  /** 1-based line where the entry starts. */
  line: number;
}

/** What every FAQ parser returns: the good entries, and one issue per thing it skipped. */
export interface FaqParseResult {
  entries: FaqEntry[];
  issues: SourceIssue[];
}

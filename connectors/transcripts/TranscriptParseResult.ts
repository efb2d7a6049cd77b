import type { ChatThread } from "../../src/chat/ChatThread.js";
import type { SourceIssue } from "../../src/types.js";
import type { ZodError } from "zod";

/** What a transcript parser read from one file: the good threads, and a problem per bad line or element. */
export interface TranscriptParseResult {
  threads: ChatThread[];
  issues: SourceIssue[];
}

/** The first problem zod found, as `messages.1.role: Invalid enum value...`. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** A timestamp as ISO 8601: an ISO string, or a number of seconds (or milliseconds) since 1970. */
export function toIsoTime(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "number" ? (value < 1e12 ? value * 1000 : value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

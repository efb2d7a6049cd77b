import { z } from "zod";
import type { ChatMessage, ChatThread } from "../../src/chat/ChatThread.js";
import type { SourceIssue } from "../../src/types.js";
import { describeZodError, toIsoTime, type TranscriptParseResult } from "./TranscriptParseResult.js";

const time = z.union([z.string().refine((s) => Number.isFinite(Date.parse(s)), "not a date (use ISO 8601)"), z.number().nonnegative()]);

const messageSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).optional(),
  role: z.enum(["customer", "agent", "bot"]),
  text: z.string(),
  ts: time.optional(),
  author: z.string().min(1).optional(),
  authorId: z.string().min(1).optional(),
  reactions: z.array(z.string().min(1)).optional(),
});

/** One line of a JSONL transcript file. Unknown fields are ignored, so helpdesk exports can carry their own. */
export const transcriptLineSchema = z.object({
  id: z.union([z.string().min(1), z.number()], { errorMap: () => ({ message: "needs a non-empty string or number id" }) }),
  messages: z.array(messageSchema).min(1, "a transcript needs at least one message"),
  resolved: z.boolean().optional(),
  tags: z.array(z.string().min(1)).optional(),
  title: z.string().min(1).optional(),
  url: z.string().url().optional(),
});

export type TranscriptLine = z.infer<typeof transcriptLineSchema>;

/**
 * Reads a JSONL transcript file: one `{ id, messages: [{ role, text, ts? }], resolved?, tags?, title?, url? }`
 * per line (messages may also carry `id`, `author`, `authorId`, `reactions`). Blank lines are skipped;
 * a line that is not JSON or not of that shape is reported with its line number and skipped.
 *
 * @param file relative path of the file, used in issues and locations
 */
export function parseJsonlTranscripts(text: string, file: string): TranscriptParseResult {
  const threads: ChatThread[] = [];
  const issues: SourceIssue[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      issues.push({ file, line, message: `not valid JSON, line skipped: ${(error as Error).message}. Each line must be one complete JSON object.` });
      return;
    }
    const parsed = transcriptLineSchema.safeParse(value);
    if (!parsed.success) {
      issues.push({ file, line, message: `not a transcript, line skipped: ${describeZodError(parsed.error)}. Expected { "id", "messages": [{ "role": "customer"|"agent"|"bot", "text" }] }.` });
      return;
    }
    threads.push(transcriptToThread(parsed.data, file, line));
  });
  return { threads, issues };
}

function transcriptToThread(t: TranscriptLine, file: string, line: number): ChatThread {
  const messages = t.messages.map((m, i): ChatMessage => {
    const ts = toIsoTime(m.ts);
    return {
      id: m.id === undefined ? String(i) : String(m.id),
      author: m.author ?? m.role,
      ...(m.authorId ? { authorId: m.authorId } : {}),
      role: m.role,
      text: m.text,
      ...(ts ? { ts } : {}),
      ...(m.reactions?.length ? { reactions: m.reactions } : {}),
    };
  });
  const updatedAt = messages.map((m) => m.ts).filter((ts) => ts !== undefined).sort().at(-1);
  return {
    id: `transcript:${t.id}`,
    platform: "transcript",
    ...(t.title ? { title: t.title } : {}),
    ...(t.url ? { url: t.url } : {}),
    messages,
    ...(t.tags?.length ? { tags: t.tags } : {}),
    ...(t.resolved !== undefined ? { resolved: t.resolved } : {}),
    location: { file, line },
    ...(updatedAt ? { updatedAt } : {}),
  };
}

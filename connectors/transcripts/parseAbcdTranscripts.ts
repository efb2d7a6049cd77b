import { z } from "zod";
import type { ChatMessage, ChatRole, ChatThread } from "../../src/chat/ChatThread.js";
import type { SourceIssue } from "../../src/types.js";
import { lineFinder, syntaxErrorLine } from "../faq-files/parseJsonFaq.js";
import { scanJsonElements } from "../faq-files/scanJsonElements.js";
import { describeZodError, type TranscriptParseResult } from "./TranscriptParseResult.js";

/** The splits of the full ABCD release (`abcd_v1.1.json`); the sample file is a bare array. */
const SPLITS = ["train", "dev", "test"] as const;

const ROLES: Record<string, ChatRole> = { customer: "customer", agent: "agent", action: "bot" };

const conversationSchema = z.object({
  convo_id: z.union([z.number(), z.string().min(1)], { errorMap: () => ({ message: "needs a number or string id" }) }),
  scenario: z.object({ flow: z.string().optional(), subflow: z.string().optional() }).passthrough().optional(),
  original: z
    .array(z.tuple([z.enum(["customer", "agent", "action"]), z.string()]))
    .min(1, "a conversation needs at least one turn"),
});

/**
 * Reads ABCD (Action-Based Conversations Dataset) conversations: a JSON array of
 * `{ convo_id, scenario: { flow, subflow, ... }, original: [[speaker, text], ...] }`, or the full
 * release's `{ train, dev, test }` object of such arrays. Speakers `customer` and `agent` keep
 * their roles; `action` (the agent's system actions, "Account has been pulled up...") becomes a
 * `bot` message. Flow and subflow become tags. The scenario's personal data (names, emails) is
 * not copied. A bad conversation is reported with the line it starts on and skipped.
 */
export function parseAbcdTranscripts(text: string, file: string): TranscriptParseResult {
  const source = text.replace(/^\uFEFF/, "");
  const lineAt = lineFinder(source);
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, " ");
    const line = syntaxErrorLine(source, message, lineAt);
    return { threads: [], issues: [{ file, ...(line !== undefined ? { line } : {}), message: `invalid JSON, so nothing in this file was read: ${message}.` }] };
  }
  const scan = scanJsonElements(source);
  const lists: { items: unknown[]; offsets: number[] | undefined }[] = [];
  if (Array.isArray(data)) lists.push({ items: data, offsets: scan.ok ? scan.root : undefined });
  else if (typeof data === "object" && data !== null) {
    for (const split of SPLITS) {
      const items = (data as Record<string, unknown>)[split];
      if (Array.isArray(items)) lists.push({ items, offsets: scan.ok ? scan.keys.get(split) : undefined });
    }
  }
  if (lists.length === 0) {
    return { threads: [], issues: [{ file, line: 1, message: 'not an ABCD file: expected an array of conversations with "original" turns, or an object with "train"/"dev"/"test" arrays.' }] };
  }

  const threads: ChatThread[] = [];
  const issues: SourceIssue[] = [];
  for (const { items, offsets } of lists) {
    items.forEach((item, index) => {
      const offset = offsets?.[index];
      const line = offset !== undefined ? lineAt(offset) : undefined;
      const parsed = conversationSchema.safeParse(item);
      if (!parsed.success) {
        issues.push({ file, ...(line !== undefined ? { line } : {}), message: `conversation ${index + 1} skipped: ${describeZodError(parsed.error)}.` });
        return;
      }
      threads.push(conversationToThread(parsed.data, file, line ?? 1));
    });
  }
  return { threads, issues };
}

function conversationToThread(c: z.infer<typeof conversationSchema>, file: string, line: number): ChatThread {
  const messages = c.original.map(([speaker, text], i): ChatMessage => ({ id: String(i), author: speaker, role: ROLES[speaker]!, text }));
  const tags = [c.scenario?.flow, c.scenario?.subflow].filter((t): t is string => typeof t === "string" && t !== "");
  return {
    id: `abcd:${c.convo_id}`,
    platform: "transcript",
    messages,
    ...(tags.length ? { tags } : {}),
    location: { file, line },
  };
}

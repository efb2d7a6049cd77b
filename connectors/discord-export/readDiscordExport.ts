import { z } from "zod";
import type { SourceIssue } from "../../src/types.js";
import type { DiscordMessage } from "../discord-shared/DiscordMessage.js";
import { lineFinder } from "../faq-files/parseJsonFaq.js";
import { scanJsonElements } from "../faq-files/scanJsonElements.js";
import { salvageTruncatedExport } from "./salvageTruncatedExport.js";

/** One DiscordChatExporter JSON file, read. */
export interface DiscordExportFile {
  guild: { id: string; name: string };
  channel: {
    id: string;
    /** DiscordChatExporter's channel kind: "GuildTextChat", "GuildPublicThread", "DirectTextChat"... */
    type: string;
    name: string;
    /** For a thread or forum post: its parent channel or forum (the export calls it `category`). */
    parentId?: string;
    parentName?: string;
    /** Forum tags: DiscordChatExporter does not write them; read from a `tags` array on `channel` when one is there. */
    tags: string[];
  };
  messages: DiscordMessage[];
}

export interface ReadDiscordExportResult {
  /** Undefined when the file is not a readable export at all. */
  export?: DiscordExportFile;
  issues: SourceIssue[];
}

/** Channel kinds that are threads (a forum post is a public thread of a forum channel). */
export const THREAD_KINDS = new Set(["GuildPublicThread", "GuildPrivateThread", "GuildNewsThread"]);

/** Message types people write in. "20"/"23" are slash-command and context-menu responses (numbers: the exporter has no name for them). */
const CONVERSATION_TYPES = new Set(["Default", "Reply", "20", "23", "ChatInputCommand", "ContextMenuCommand"]);
const THREAD_STARTER_TYPES = new Set(["ThreadStarterMessage", "21"]);
/** The exporter's names for system messages; other system kinds come out as numbers. */
const SYSTEM_TYPES = new Set([
  "RecipientAdd",
  "RecipientRemove",
  "Call",
  "ChannelNameChange",
  "ChannelIconChange",
  "ChannelPinnedMessage",
  "GuildMemberJoin",
  "ThreadCreated",
]);

const snowflake = z.string().regex(/^\d{1,20}$/, "must be a Discord id (digits)");
const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date");
const role = z.object({ id: snowflake, name: z.string() }).passthrough();
const user = z
  .object({ id: snowflake, name: z.string(), nickname: z.string().nullish(), isBot: z.boolean().nullish(), roles: z.array(role).nullish() })
  .passthrough();

const headerSchema = z
  .object({
    guild: z.object({ id: z.string(), name: z.string() }).passthrough(),
    channel: z
      .object({
        id: snowflake,
        type: z.string(),
        name: z.string(),
        categoryId: z.string().nullish(),
        category: z.string().nullish(),
        tags: z.array(z.union([z.string(), z.object({ name: z.string() }).passthrough()])).nullish(),
      })
      .passthrough(),
    messages: z.array(z.unknown()),
  })
  .passthrough();

const messageSchema = z
  .object({
    id: snowflake,
    type: z.string(),
    timestamp: isoDate,
    timestampEdited: isoDate.nullish(),
    content: z.string().nullish(),
    author: user,
    reference: z.object({ type: z.string().nullish(), messageId: snowflake.nullish(), channelId: snowflake.nullish() }).passthrough().nullish(),
    reactions: z.array(z.object({ emoji: z.object({ name: z.string() }).passthrough(), count: z.number() }).passthrough()).nullish(),
    attachments: z.array(z.object({ fileName: z.string() }).passthrough()).nullish(),
    mentions: z.array(user).nullish(),
  })
  .passthrough();

/**
 * Reads a DiscordChatExporter JSON export (`-f Json`). Every problem is an issue with
 * the file and line: a message of an unknown shape is skipped; a file cut short keeps
 * the messages before the break; a file that is not an export is skipped whole.
 *
 * @param file relative path of the file, used in issues
 */
export function readDiscordExport(text: string, file: string): ReadDiscordExportResult {
  let source = text.replace(/^\uFEFF/, "");
  const lineAt = lineFinder(source);
  const issues: SourceIssue[] = [];

  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    const scan = scanJsonElements(source);
    const offset = scan.ok ? source.length : scan.offset;
    const reason = (error as Error).message.replace(/\s+/g, " ");
    const repaired = salvageTruncatedExport(source, offset);
    const salvaged = repaired !== undefined ? tryParse(repaired.text) : undefined;
    if (salvaged === undefined || repaired === undefined) {
      issues.push({ file, line: lineAt(offset), message: `invalid JSON (${reason}), so nothing in this file was read. Export the channel again.` });
      return { issues };
    }
    issues.push({
      file,
      line: lineAt(offset),
      message: repaired.allMessages
        ? `the end of the file is broken here (${reason}), after the last message: every message was read.`
        : `the file is cut short or broken here (${reason}): the messages before this line were read, the rest of the file is lost. Export the channel again to get all of it.`,
    });
    data = salvaged;
    source = repaired.text;
  }

  const header = headerSchema.safeParse(data);
  if (!header.success) {
    issues.push({ file, line: 1, message: `not a DiscordChatExporter JSON export (${describeZodError(header.error)}), skipped. Export with -f Json.` });
    return { issues };
  }
  const { guild, channel, messages: elements } = header.data;
  const scan = scanJsonElements(source);
  const offsets = scan.ok ? scan.keys.get("messages") : undefined;

  const messages: DiscordMessage[] = [];
  const unknownTypes = new Map<string, { count: number; line: number | undefined }>();
  elements.forEach((element, index) => {
    const offset = offsets?.[index];
    const line = offset !== undefined ? lineAt(offset) : undefined;
    const parsed = messageSchema.safeParse(element);
    if (!parsed.success) {
      issues.push({ file, ...(line !== undefined ? { line } : {}), message: `message ${index + 1} skipped: ${describeZodError(parsed.error)}` });
      return;
    }
    const kind = kindOf(parsed.data.type);
    if (kind === undefined) {
      const seen = unknownTypes.get(parsed.data.type);
      unknownTypes.set(parsed.data.type, { count: (seen?.count ?? 0) + 1, line: seen?.line ?? line });
      return;
    }
    messages.push({ ...toDiscordMessage(parsed.data, kind), ...(line !== undefined ? { line } : {}) });
  });
  for (const [type, { count, line }] of unknownTypes) {
    issues.push({
      file,
      ...(line !== undefined ? { line } : {}),
      message: `unknown message type "${type}" (${count} message${count === 1 ? "" : "s"}${line !== undefined && count > 1 ? ", first here" : ""}) skipped: llamadesk reads Default and Reply messages and drops system messages.`,
    });
  }

  const tags = (channel.tags ?? []).map((tag) => (typeof tag === "string" ? tag : tag.name)).filter((tag) => tag.trim() !== "");
  const titleTag = /^\s*[[(](solved|resolved|answered)[\])]/i.exec(channel.name)?.[1];
  if (titleTag !== undefined && !tags.some((tag) => tag.toLowerCase() === titleTag.toLowerCase())) tags.push(titleTag.toLowerCase());
  return {
    export: {
      guild: { id: guild.id, name: guild.name },
      channel: {
        id: channel.id,
        type: channel.type,
        name: channel.name,
        ...(channel.categoryId ? { parentId: channel.categoryId } : {}),
        ...(channel.category ? { parentName: channel.category } : {}),
        tags,
      },
      messages,
    },
    issues,
  };
}

function kindOf(type: string): DiscordMessage["kind"] | undefined {
  if (CONVERSATION_TYPES.has(type)) return "message";
  if (THREAD_STARTER_TYPES.has(type)) return "threadStarter";
  // Kinds the exporter has no name for come out as their number: all of those left are system messages.
  if (SYSTEM_TYPES.has(type) || /^\d+$/.test(type)) return "system";
  return undefined;
}

type ExportMessage = z.infer<typeof messageSchema>;
type ExportUser = z.infer<typeof user>;

function toDiscordMessage(message: ExportMessage, kind: DiscordMessage["kind"]): DiscordMessage {
  // A forwarded message points at its origin, but answers nothing.
  const reference = message.reference?.messageId && message.reference.type !== "Forward" ? { messageId: message.reference.messageId, ...(message.reference.channelId ? { channelId: message.reference.channelId } : {}) } : undefined;
  return {
    id: message.id,
    kind,
    timestamp: new Date(message.timestamp).toISOString(),
    ...(message.timestampEdited ? { editedTimestamp: new Date(message.timestampEdited).toISOString() } : {}),
    content: message.content ?? "",
    author: toAuthor(message.author),
    ...(reference ? { reference } : {}),
    reactions: (message.reactions ?? []).filter((r) => r.count > 0).map((r) => r.emoji.name),
    attachments: (message.attachments ?? []).map((a) => a.fileName),
    mentions: (message.mentions ?? []).map((u) => ({ id: u.id, name: displayNameOf(u) })),
  };
}

function toAuthor(author: ExportUser): DiscordMessage["author"] {
  return {
    id: author.id,
    name: author.name,
    displayName: displayNameOf(author),
    isBot: author.isBot ?? false,
    roles: (author.roles ?? []).map((r) => ({ id: r.id, name: r.name })),
  };
}

function displayNameOf(user: ExportUser): string {
  return user.nickname?.trim() || user.name;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** "author.id: Required; timestamp: must be an ISO 8601 date". */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "value"}: ${issue.message}`).join("; ");
}

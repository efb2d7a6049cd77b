import { delimiter, extname, resolve } from "node:path";
import { z } from "zod";
import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import { isLlamadeskError, LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import { emptyDiscordNames, learnNames, type DiscordMessage } from "../discord-shared/DiscordMessage.js";
import { groupReplyChains } from "../discord-shared/groupReplyChains.js";
import { compareSnowflakes } from "../discord-shared/snowflake.js";
import { threadMessages } from "../discord-shared/threadMessages.js";
import { type DiscordConversation, discordSupportOptionsShape, type DiscordSupportOptions, toDiscordChatThread } from "../discord-shared/toDiscordChatThread.js";
import { type FaqFile, walkFaqFiles } from "../faq-files/walkFaqFiles.js";
import { type DiscordExportFile, readDiscordExport, THREAD_KINDS } from "./readDiscordExport.js";
import { readSourceText } from "../../src/readSourceText.js";

export { readDiscordExport, type DiscordExportFile, type ReadDiscordExportResult } from "./readDiscordExport.js";
export { decodeDiscordMarkup } from "../discord-shared/decodeDiscordMarkup.js";
export { groupReplyChains, type GroupReplyChainsOptions } from "../discord-shared/groupReplyChains.js";
export { toDiscordChatThread, isResolvedTag, type DiscordConversation, type DiscordSupportOptions } from "../discord-shared/toDiscordChatThread.js";
export type { DiscordMessage, DiscordAuthor, DiscordNames } from "../discord-shared/DiscordMessage.js";

export interface DiscordExportConnectorOptions extends DiscordSupportOptions {
  /**
   * DiscordChatExporter JSON exports (`-f Json`), or folders searched recursively for
   * `.json` files. Locations in citations and issues use the path relative to the folder
   * given (the basename for a file given directly).
   */
  paths: string[];
}

/** A file and the channel export it holds. */
interface ReadFile extends DiscordExportFile {
  file: string;
}

/** The messages of one channel or thread, merged across the files it was exported to (`--partition` splits big channels). */
interface ChannelMessages {
  header: ReadFile;
  messages: Map<string, DiscordMessage>;
  /** Which file each message came from, for locations. */
  fileOf: Map<string, string>;
}

/**
 * Past Discord conversations from DiscordChatExporter JSON exports: each thread or
 * forum post is one conversation, and a plain text channel is split into reply
 * chains. System messages, joins, pins and bot-only chatter are dropped. Files that
 * are not exports, and messages of an unknown shape, are reported through `onIssue`
 * with their file and line and skipped; only a path that does not exist throws.
 */
export class DiscordExportConnector implements Connector {
  readonly name = "discord-export";
  /** The resolved paths, sorted and joined with the OS path delimiter. */
  readonly origin: string;
  private readonly options: DiscordExportConnectorOptions;

  constructor(options: DiscordExportConnectorOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new LlamadeskError("INVALID_OPTION", `discord-export: ${parsed.error.issues.map((i) => `\`${i.path.join(".")}\` ${i.message}`).join("; ")}. Example: { paths: ["./discord"], supportRoles: ["Support"] }`);
    }
    this.options = { ...options, paths: [...options.paths] };
    this.origin = [...new Set(options.paths.map((path) => resolve(path)))].sort().join(delimiter);
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = (issue: SourceIssue): void => options.onIssue?.(issue);
    const files: FaqFile[] = [];
    for (const path of this.options.paths) files.push(...(await listExportFiles(path, report)));

    const channels = new Map<string, ChannelMessages>();
    const names = emptyDiscordNames();
    for (const file of files) {
      options.signal?.throwIfAborted();
      const text = await readSourceText(file, report);
      if (text === undefined) continue;
      const result = readDiscordExport(text, file.relativePath);
      result.issues.forEach(report);
      if (result.export === undefined) continue;
      const read: ReadFile = { ...result.export, file: file.relativePath };
      names.channels.set(read.channel.id, read.channel.name);
      if (read.channel.parentId && read.channel.parentName) names.channels.set(read.channel.parentId, read.channel.parentName);
      learnNames(names, read.messages);
      const channel = channels.get(read.channel.id) ?? { header: read, messages: new Map(), fileOf: new Map() };
      channels.set(read.channel.id, channel);
      for (const message of read.messages) {
        if (channel.messages.has(message.id)) continue;
        channel.messages.set(message.id, message);
        channel.fileOf.set(message.id, read.file);
      }
    }

    const conversations: DiscordConversation[] = [];
    for (const channel of channels.values()) {
      const { header } = channel;
      const messages = [...channel.messages.values()].sort((a, b) => compareSnowflakes(a.id, b.id));
      const base = { guildId: header.guild.id, channelId: header.channel.id };
      if (THREAD_KINDS.has(header.channel.type)) {
        const parent = header.channel.parentId ? channels.get(header.channel.parentId) : undefined;
        const thread = threadMessages(messages, (id) => parent?.messages.get(id));
        const first = messages[0];
        conversations.push({
          ...base,
          channelName: header.channel.parentName ?? header.channel.name,
          thread: { title: header.channel.name, tags: header.channel.tags },
          messages: thread,
          location: { file: first ? channel.fileOf.get(first.id)! : header.file, line: first?.line ?? 1 },
        });
        continue;
      }
      for (const chain of groupReplyChains(messages)) {
        const root = chain[0]!;
        conversations.push({ ...base, channelName: header.channel.name, messages: chain, location: { file: channel.fileOf.get(root.id)!, line: root.line ?? 1 } });
      }
    }

    conversations.sort((a, b) => compareLocations(a, b));
    for (const conversation of conversations) {
      options.signal?.throwIfAborted();
      const thread = toDiscordChatThread(conversation, names, this.options);
      if (thread !== undefined) yield chatThreadToSourceDoc(thread);
    }
  }
}

/** The `.json` files under a path; a file given directly is read whatever its name. */
async function listExportFiles(path: string, report: (issue: SourceIssue) => void): Promise<FaqFile[]> {
  try {
    const files = await walkFaqFiles({ path, onIssue: report });
    return files.length === 1 && resolve(path) === files[0]!.path ? files : files.filter((file) => extname(file.path).toLowerCase() === ".json");
  } catch (error) {
    if (!isLlamadeskError(error, "SOURCE_NOT_FOUND")) throw error;
    throw new LlamadeskError(
      "SOURCE_NOT_FOUND",
      `Discord export path "${path}" does not exist (looked for ${resolve(path)}). Fix the discord-export connector's \`paths\` option; relative paths are resolved from the config file's folder.`,
      { cause: error },
    );
  }
}

function compareLocations(a: DiscordConversation, b: DiscordConversation): number {
  const fileA = a.location?.file ?? "";
  const fileB = b.location?.file ?? "";
  if (fileA !== fileB) return fileA < fileB ? -1 : 1;
  return (a.location?.line ?? 0) - (b.location?.line ?? 0);
}

const optionsSchema = z.object({ paths: z.array(z.string().min(1)).min(1), ...discordSupportOptionsShape }).strict();

type DiscordExportDefinitionOptions = z.infer<typeof optionsSchema>;

/**
 * `{ "connector": "discord-export", "paths": ["./discord"], "supportRoles": ["Support"] }` in
 * the config file's `sources`; paths relative to the config file.
 */
export const definition: ConnectorDefinition<DiscordExportDefinitionOptions> = {
  name: "discord-export",
  options: optionsSchema,
  create: (options, context) => new DiscordExportConnector({ ...options, paths: options.paths.map((path) => resolve(context.baseDir, path)) }),
};

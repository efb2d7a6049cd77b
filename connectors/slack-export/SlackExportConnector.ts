import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import { LlamadeskError } from "../../src/errors.js";
import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import { readSlackMessage } from "../slack-shared/readSlackMessage.js";
import { SlackThreadBuilder } from "../slack-shared/SlackThreadBuilder.js";
import { readExportWorkspace, readListFile, type ExportChannel } from "./readExportWorkspace.js";

const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.json$/;

export interface SlackExportConnectorOptions {
  /** The unzipped export folder (holding `channels.json`, `users.json` and one folder per channel). */
  path: string;
  /** Channel names (with or without "#") or ids to read. Defaults to every channel in the export. */
  channels?: string[];
  /** User ids or names (handle, real or display name) whose replies are support answers (role `agent`). Defaults to none. */
  supportUsers?: string[];
  /** Workspace URL, e.g. "https://acme.slack.com", so each thread cites its permalink. Defaults to none: threads cite "channel/day.json:line". */
  baseUrl?: string;
}

/**
 * Reads a Slack workspace export: every channel's day files, threads rebuilt across
 * days, user ids resolved to names, joins/leaves/bot noise dropped, mrkdwn decoded.
 * Each thread becomes a `chat` SourceDoc. Bad files and messages are reported through
 * `onIssue` with file and line and skipped; only a missing folder throws.
 */
export class SlackExportConnector implements Connector {
  readonly name = "slack-export";
  readonly origin: string;

  constructor(private readonly options: SlackExportConnectorOptions) {
    if (typeof options?.path !== "string" || options.path.trim() === "") {
      throw new LlamadeskError("INVALID_OPTION", 'slack-export: `path` must be the export folder, e.g. { path: "./slack-export" }');
    }
    this.origin = resolve(options.path);
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const report = (issue: SourceIssue) => options.onIssue?.(issue);
    const root = this.origin;
    const info = await stat(root).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new LlamadeskError("SOURCE_NOT_FOUND", `slack-export: ${root} is not a folder: unzip the Slack export and give the folder that holds channels.json`);
    }
    const workspace = await readExportWorkspace(root, report);
    const channels = this.chosen(workspace.channels ?? (await channelsFromFolders(root, report)), report);
    const channelNames = new Map((workspace.channels ?? []).map((channel) => [channel.id, channel.name]));

    for (const channel of channels) {
      options.signal?.throwIfAborted();
      const builder = new SlackThreadBuilder({
        channelId: channel.id,
        channelName: channel.name ?? channel.folder,
        user: (id) => workspace.users.get(id),
        channel: (id) => channelNames.get(id),
        ...(this.options.supportUsers ? { supportUsers: this.options.supportUsers } : {}),
        ...(this.options.baseUrl ? { workspaceUrl: this.options.baseUrl } : {}),
      });
      for (const day of await dayFiles(join(root, channel.folder))) {
        const file = `${channel.folder}/${day}`;
        for (const { value, line } of (await readListFile(root, file, report)) ?? []) {
          const record = readSlackMessage(value);
          if (record.kind === "invalid") report({ file, line, message: `message skipped: ${record.reason}` });
          else builder.add(record, { file, line });
        }
      }
      for (const thread of builder.threads()) yield chatThreadToSourceDoc(thread);
    }
  }

  /** The channels the options ask for; a name or id the export lacks is reported. */
  private chosen(channels: ExportChannel[], report: (issue: SourceIssue) => void): ExportChannel[] {
    const wanted = this.options.channels;
    if (wanted === undefined) return channels;
    const keys = (channel: ExportChannel) => [channel.id, channel.folder, channel.name].filter((key) => key !== undefined);
    for (const name of wanted) {
      const key = name.replace(/^#/, "");
      if (!channels.some((channel) => keys(channel).includes(key))) {
        report({ file: "channels.json", message: `channel "${name}" is not in the export (channels: ${channels.map((c) => c.name ?? c.id).join(", ")}); check the "channels" option` });
      }
    }
    const set = new Set(wanted.map((name) => name.replace(/^#/, "")));
    return channels.filter((channel) => keys(channel).some((key) => set.has(key)));
  }
}

/** Day files of a channel folder, oldest first; a channel without messages has no folder. */
async function dayFiles(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((name) => DAY_FILE.test(name)).sort();
}

/** Without any channel list, each folder of day files is a channel named after its folder. */
async function channelsFromFolders(root: string, report: (issue: SourceIssue) => void): Promise<ExportChannel[]> {
  report({ file: "channels.json", message: "channels.json is missing, so each folder is read as a channel named after it, without channel ids for permalinks: export the workspace again, or copy channels.json into the folder" });
  const entries = await readdir(root, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const channels: ExportChannel[] = [];
  for (const folder of folders) if ((await dayFiles(join(root, folder))).length > 0) channels.push({ id: folder, name: folder, folder });
  return channels;
}

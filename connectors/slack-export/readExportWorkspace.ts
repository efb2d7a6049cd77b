import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SourceIssue } from "../../src/types.js";
import { toSlackUser, type SlackUser } from "../slack-shared/SlackUser.js";
import { readJsonArray, type JsonArrayElement } from "./readJsonArray.js";

/** A conversation of the export and the folder its day files are in. */
export interface ExportChannel {
  id: string;
  /** Without "#"; direct messages have none. */
  name?: string;
  /** Folder of its day files: the name, or the id for direct messages. */
  folder: string;
}

export interface ExportWorkspace {
  users: Map<string, SlackUser>;
  /** In the order the lists give them; undefined when the export has no channel list at all. */
  channels?: ExportChannel[];
}

/** Public channels, private channels, group DMs, DMs: each export has the lists its plan and options allow. */
const CHANNEL_LISTS = ["channels.json", "groups.json", "mpims.json", "dms.json"];

/**
 * Reads `users.json` and the channel lists of an export folder. A missing or broken
 * file is reported and the rest goes on: without users.json, authors show as the
 * names their messages carry, else as user ids.
 */
export async function readExportWorkspace(root: string, report: (issue: SourceIssue) => void): Promise<ExportWorkspace> {
  const users = new Map<string, SlackUser>();
  const userElements = await readListFile(root, "users.json", report);
  if (userElements === undefined) {
    report({ file: "users.json", message: "users.json is missing, so authors show as the names their messages carry, else as user ids: export the workspace again, or copy users.json into the folder" });
  }
  for (const { value, line } of userElements ?? []) {
    const user = toSlackUser(value);
    if (typeof user === "string") report({ file: "users.json", line, message: `${user}, skipped` });
    else users.set(user.id, user);
  }

  let channels: ExportChannel[] | undefined;
  for (const file of CHANNEL_LISTS) {
    const elements = await readListFile(root, file, report);
    if (elements === undefined) continue;
    channels ??= [];
    for (const { value, line } of elements) {
      const channel = toExportChannel(value);
      if (typeof channel === "string") report({ file, line, message: `${channel}, skipped` });
      else channels.push(channel);
    }
  }
  return { users, ...(channels ? { channels } : {}) };
}

/** The elements of a JSON array file, with its problems reported; undefined when the file does not exist. */
export async function readListFile(root: string, file: string, report: (issue: SourceIssue) => void): Promise<JsonArrayElement[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, file), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    report({ file, message: `cannot read the file, skipped: ${(error as Error).message}` });
    return [];
  }
  const { elements, problems } = readJsonArray(text);
  for (const problem of problems) report({ file, ...problem });
  return elements;
}

function toExportChannel(value: unknown): ExportChannel | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "expected a channel object";
  const { id, name } = value as Record<string, unknown>;
  if (typeof id !== "string" || id === "") return 'channel without an "id"';
  if (typeof name === "string" && name !== "") return { id, name, folder: name };
  return { id, folder: id };
}

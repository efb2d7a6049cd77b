import { isSlackTs } from "./slackTs.js";

/** A message with content, its mrkdwn still encoded (names resolve when threads are built). */
export interface SlackMessage {
  ts: string;
  /** The thread it belongs to: `thread_ts`, else its own `ts`. */
  threadTs: string;
  /** `reply_count` on a thread's parent; 0 elsewhere. */
  replyCount: number;
  userId?: string;
  /** Names the message itself carries (`user_profile`, a bot's `username`), the display name first, for when the user list lacks the author. */
  userNames: string[];
  /** Posted by a bot or integration (`bot_message`, `bot_id`, Slackbot). */
  isBot: boolean;
  /** mrkdwn, as Slack stores it. */
  text: string;
  /** Names of attached files. */
  files: string[];
  /** Reaction names, e.g. "white_check_mark". */
  reactions: string[];
  /** `edited.ts`, when the message was edited. */
  editedTs?: string;
}

interface Where {
  ts: string;
  threadTs: string;
  replyCount: number;
}

/** What one element of a day file or an API page is. */
export type SlackRecord =
  | { kind: "message"; message: SlackMessage }
  /** `message_changed`: the message with the same ts, as edited. */
  | { kind: "edit"; message: SlackMessage }
  /** A tombstone (a parent deleted while replies remain) or `message_deleted`: the message `ts` is gone. */
  | ({ kind: "delete" } & Where)
  /** Joins, leaves, topic changes, pins...: nothing to learn from. */
  | ({ kind: "noise" } & Where)
  | { kind: "invalid"; reason: string };

/** Subtypes that carry what someone wrote. */
const CONTENT = new Set(["thread_broadcast", "reply_broadcast", "file_share", "file_mention", "file_comment", "me_message", "bot_message", "slackbot_response"]);
const NOISE = new Set([
  ..."join leave topic purpose name archive unarchive".split(" ").flatMap((event) => [`channel_${event}`, `group_${event}`]),
  ..."bot_add bot_remove bot_enable bot_disable pinned_item unpinned_item reminder_add reminder_delete".split(" "),
  ..."channel_convert_to_private channel_convert_to_public channel_posting_permissions channel_canvas_updated".split(" "),
  ..."sh_room_created sh_room_shared huddle_thread ekm_access_denied joiner_notification joiner_notification_for_inviter".split(" "),
  ..."app_conversation_join app_conversation_leave message_replied assistant_app_thread".split(" "),
]);

/**
 * Classifies one raw Slack message (export day files and `conversations.history`/`replies`
 * share the shape). A record that is not a message, or has fields of the wrong type or an
 * unknown subtype, comes back `invalid` with the reason.
 */
export function readSlackMessage(raw: unknown): SlackRecord {
  if (!isObject(raw)) return { kind: "invalid", reason: `expected a message object, got ${describe(raw)}` };
  if (raw.type !== undefined && raw.type !== "message") return { kind: "invalid", reason: `"type" is ${JSON.stringify(raw.type)}, expected "message"` };
  const subtype = raw.subtype;
  if (subtype !== undefined && typeof subtype !== "string") return { kind: "invalid", reason: `"subtype" must be a string, got ${describe(subtype)}` };

  if (subtype === "message_changed") {
    const edited = readContent(raw.message);
    return typeof edited === "string" ? { kind: "invalid", reason: `message_changed: ${edited}` } : { kind: "edit", message: { ...edited, editedTs: edited.editedTs ?? (isSlackTs(raw.ts) ? raw.ts : edited.ts) } };
  }
  if (subtype === "message_deleted") {
    const deleted = raw.deleted_ts ?? (isObject(raw.previous_message) ? raw.previous_message.ts : undefined);
    if (!isSlackTs(deleted)) return { kind: "invalid", reason: 'message_deleted without a "deleted_ts"' };
    const previous = isObject(raw.previous_message) ? raw.previous_message : {};
    return { kind: "delete", ts: deleted, threadTs: isSlackTs(previous.thread_ts) ? previous.thread_ts : deleted, replyCount: 0 };
  }

  const where = readWhere(raw);
  if (typeof where === "string") return { kind: "invalid", reason: where };
  if (subtype === "tombstone") return { kind: "delete", ...where };
  if (subtype !== undefined && NOISE.has(subtype)) return { kind: "noise", ...where };
  if (subtype !== undefined && !CONTENT.has(subtype)) return { kind: "invalid", reason: `unknown subtype "${subtype}"` };
  if (raw.hidden === true) return { kind: "noise", ...where };
  const message = readContent(raw);
  return typeof message === "string" ? { kind: "invalid", reason: message } : { kind: "message", message };
}

function readWhere(raw: Record<string, unknown>): Where | string {
  if (!isSlackTs(raw.ts)) return `expected "ts" to be a Slack timestamp like "1700000000.000100", got ${describe(raw.ts)}`;
  if (raw.thread_ts !== undefined && !isSlackTs(raw.thread_ts)) return `"thread_ts" must be a Slack timestamp, got ${describe(raw.thread_ts)}`;
  if (raw.reply_count !== undefined && (typeof raw.reply_count !== "number" || raw.reply_count < 0)) return `"reply_count" must be a number, got ${describe(raw.reply_count)}`;
  return { ts: raw.ts, threadTs: raw.thread_ts ?? raw.ts, replyCount: raw.reply_count ?? 0 };
}

function readContent(raw: unknown): SlackMessage | string {
  if (!isObject(raw)) return `expected a message object, got ${describe(raw)}`;
  const where = readWhere(raw);
  if (typeof where === "string") return where;
  for (const key of ["text", "user", "username", "bot_id"]) {
    if (raw[key] != null && typeof raw[key] !== "string") return `"${key}" must be a string, got ${describe(raw[key])}`;
  }
  const reactions = namesOf(raw.reactions, "reactions");
  if (typeof reactions === "string") return reactions;
  const files = namesOf(raw.files, "files");
  if (typeof files === "string") return files;

  const text = (raw.text as string | undefined) ?? "";
  const profile = isObject(raw.user_profile) ? raw.user_profile : isObject(raw.bot_profile) ? raw.bot_profile : {};
  const userNames = [profile.display_name, profile.real_name, profile.name, raw.username]
    .filter((name): name is string => typeof name === "string" && name.trim() !== "")
    .map((name) => name.trim());
  const editedTs = isObject(raw.edited) && isSlackTs(raw.edited.ts) ? raw.edited.ts : undefined;
  return {
    ...where,
    ...(typeof raw.user === "string" ? { userId: raw.user } : {}),
    userNames: [...new Set(userNames)],
    isBot: raw.subtype === "bot_message" || raw.subtype === "slackbot_response" || typeof raw.bot_id === "string" || raw.user === "USLACKBOT",
    text: text.trim() !== "" ? text : attachmentText(raw.attachments),
    files,
    reactions,
    ...(editedTs !== undefined ? { editedTs } : {}),
  };
}

/** `reactions: [{ name }]` and `files: [{ name, title }]` (deleted files are `{ mode: "tombstone" }`, without a name). */
function namesOf(value: unknown, key: "reactions" | "files"): string[] | string {
  if (value == null) return [];
  if (!Array.isArray(value)) return `"${key}" must be an array, got ${describe(value)}`;
  const names: string[] = [];
  for (const item of value) {
    if (!isObject(item)) return `"${key}" must hold objects, got ${describe(item)}`;
    const name = key === "files" ? (item.name ?? item.title) : item.name;
    if (typeof name === "string" && name.trim() !== "") names.push(name.trim());
    else if (key === "reactions") return `a reaction without a "name"`;
  }
  return names;
}

/** Integrations often post only attachments; their text (or fallback) is the message. */
function attachmentText(attachments: unknown): string {
  if (!Array.isArray(attachments)) return "";
  return attachments
    .map((item) => (isObject(item) ? [item.pretext, item.text ?? item.fallback].filter((part) => typeof part === "string" && part.trim() !== "").join("\n") : ""))
    .filter((part) => part !== "")
    .join("\n");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

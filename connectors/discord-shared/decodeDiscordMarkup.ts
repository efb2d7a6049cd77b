import type { DiscordNames } from "./DiscordMessage.js";

/**
 * Discord markup as a reader sees it: `<@123>`/`<@!123>` -> "@name", `<@&456>` ->
 * "@role", `<#789>` -> "#channel", custom emoji `<:name:1>`/`<a:name:1>` -> ":name:",
 * slash-command mentions `</name:1>` -> "/name", timestamps `<t:1700000000:R>` ->
 * "2023-11-14 22:13 UTC", `<https://x>` (a link with its preview suppressed) -> the
 * link. Ids with no known name read "@unknown-user", "@unknown-role", "#unknown-channel".
 * Text that holds no markup (DiscordChatExporter decodes it by default) passes unchanged.
 */
export function decodeDiscordMarkup(text: string, names: DiscordNames): string {
  return text
    .replace(/<@!?(\d+)>/g, (_, id: string) => `@${names.users.get(id) ?? "unknown-user"}`)
    .replace(/<@&(\d+)>/g, (_, id: string) => `@${names.roles.get(id) ?? "unknown-role"}`)
    .replace(/<#(\d+)>/g, (_, id: string) => `#${names.channels.get(id) ?? "unknown-channel"}`)
    .replace(/<a?:([\w~-]+):\d+>/g, ":$1:")
    .replace(/<\/([\w -]+):\d+>/g, "/$1")
    .replace(/<t:(-?\d{1,13})(?::[tTdDfFR])?>/g, (_, seconds: string) => formatTimestamp(Number(seconds)))
    .replace(/<(https?:\/\/[^\s<>]+)>/g, "$1");
}

function formatTimestamp(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? "an unknown date" : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

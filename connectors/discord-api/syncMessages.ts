import type { APIMessage } from "discord.js";
import type { DiscordMessage } from "../discord-shared/DiscordMessage.js";
import { compareSnowflakes, snowflakeAt, timeOfSnowflake } from "../discord-shared/snowflake.js";
import type { StoredContainer } from "./DiscordApiState.js";
import type { DiscordRestClient } from "./DiscordRestClient.js";
import { fromApiMessage } from "./fromApiMessage.js";

export interface SyncMessagesResult extends StoredContainer {
  /** Messages read from Discord in this pull (the rest came from the saved state). */
  fetched: DiscordMessage[];
}

/**
 * Brings one channel's or thread's messages up to date. The first time, its whole
 * history is read newest to oldest (`before` paging). After that, everything from
 * the start of the look-back window (or from the last message seen, if older) is read
 * again oldest to newest (`after` paging) and replaces what was saved for that span,
 * so new messages, edits and deletions there all show; older messages are kept as
 * saved. A channel whose newest message is unchanged and older than the window is
 * not read at all.
 *
 * @param latestId the channel's `last_message_id` as Discord reports it now
 * @param windowStartMs start of the look-back window (Unix ms)
 */
export async function syncMessages(client: DiscordRestClient, channelId: string, saved: StoredContainer | undefined, latestId: string | null | undefined, windowStartMs: number): Promise<SyncMessagesResult> {
  if (saved === undefined) {
    const fetched: DiscordMessage[] = [];
    for (let before: string | undefined; ; ) {
      const page = await client.messages(channelId, before ? { before } : {});
      fetched.push(...page.map(fromApiMessage));
      if (page.length < 100) break;
      before = oldestOf(page);
    }
    return container(fetched, fetched);
  }

  const lastSeen = saved.lastMessageId;
  const quiet = (latestId ?? undefined) === lastSeen && (lastSeen === undefined || timeOfSnowflake(lastSeen) < windowStartMs);
  if (quiet) return { ...saved, fetched: [] };

  const windowStart = snowflakeAt(windowStartMs);
  const from = lastSeen !== undefined && compareSnowflakes(lastSeen, windowStart) < 0 ? lastSeen : windowStart;
  const fetched: DiscordMessage[] = [];
  for (let after = from; ; ) {
    const page = await client.messages(channelId, { after });
    fetched.push(...page.map(fromApiMessage));
    if (page.length < 100) break;
    after = newestOf(page);
  }
  const kept = saved.messages.filter((m) => compareSnowflakes(m.id, from) <= 0);
  return container([...kept, ...fetched], fetched);
}

function container(messages: DiscordMessage[], fetched: DiscordMessage[]): SyncMessagesResult {
  const unique = [...new Map(messages.map((m) => [m.id, m])).values()].sort((a, b) => compareSnowflakes(a.id, b.id));
  const last = unique.at(-1)?.id;
  return { ...(last !== undefined ? { lastMessageId: last } : {}), messages: unique, fetched };
}

function oldestOf(page: APIMessage[]): string {
  return page.reduce((min, m) => (compareSnowflakes(m.id, min) < 0 ? m.id : min), page[0]!.id);
}

function newestOf(page: APIMessage[]): string {
  return page.reduce((max, m) => (compareSnowflakes(m.id, max) > 0 ? m.id : max), page[0]!.id);
}

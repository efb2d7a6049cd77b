import { ChannelType, type Channel as DiscordJsChannel } from "discord.js";
import type { DiscordConfig } from "./discordConfig.js";

/** A forum post's state as its tags show it: answered by the bot, waiting for a human, or neither any more. */
export type PostStatus = "answered" | "needsHuman" | "none";

/**
 * Tags a forum post with the configured "answered by bot" or "needs human" tag (and takes the other off),
 * when the forum has a tag of that name; other tags stay. Does nothing outside forums. Resolves with
 * whether the post's tags changed.
 */
export async function setPostStatus(channel: DiscordJsChannel, status: PostStatus, config: DiscordConfig): Promise<boolean> {
  const forum = channel.isThread() ? channel.parent : null;
  if (!channel.isThread() || forum?.type !== ChannelType.GuildForum) return false;
  const tagId = (name: string) => forum.availableTags.find((t) => t.name.toLowerCase() === name.toLowerCase())?.id;
  const answered = tagId(config.forumTags.answered);
  const needsHuman = tagId(config.forumTags.needsHuman);
  const ours = [answered, needsHuman].filter((id): id is string => id !== undefined);
  const wanted = status === "answered" ? answered : status === "needsHuman" ? needsHuman : undefined;
  if (ours.length === 0) return false;
  const kept = channel.appliedTags.filter((id) => !ours.includes(id));
  // A post has at most 5 tags: ours goes first so it is never the one left out.
  const next = wanted ? [wanted, ...kept].slice(0, 5) : kept;
  if (next.length === channel.appliedTags.length && next.every((id) => channel.appliedTags.includes(id))) return false;
  await channel.setAppliedTags(next, `llamadesk: ${status === "none" ? "resolved" : status}`);
  return true;
}

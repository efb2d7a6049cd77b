/** A workspace member as the thread builder needs it. */
export interface SlackUser {
  id: string;
  /** What Slack shows: the display name, else the real name, else the handle. */
  name: string;
  /** Every name the user goes by (handle, real name, display name), to match `supportUsers`. */
  aliases: string[];
  isBot: boolean;
}

/**
 * A user object as `users.json` in an export and `users.info`/`users.list` in the Web API
 * hold it (`{ id, name, real_name, is_bot, profile: { display_name, real_name } }`), or
 * why it is not one.
 */
export function toSlackUser(raw: unknown): SlackUser | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "expected a user object";
  const user = raw as Record<string, unknown>;
  if (typeof user.id !== "string" || user.id === "") return 'user without an "id"';
  const profile = (typeof user.profile === "object" && user.profile !== null ? user.profile : {}) as Record<string, unknown>;
  const aliases = [profile.display_name, profile.real_name, user.real_name, user.name]
    .filter((value): value is string => typeof value === "string" && value.trim() !== "")
    .map((value) => value.trim());
  return {
    id: user.id,
    name: aliases[0] ?? user.id,
    aliases: [...new Set(aliases)],
    isBot: user.is_bot === true || user.id === "USLACKBOT",
  };
}

/** Looks up the names mrkdwn refers to by id. */
export interface MrkdwnNames {
  /** Display name of a user id ("U0123"), undefined when unknown. */
  user(id: string): string | undefined;
  /** Name of a channel id ("C0123") without "#", undefined when unknown. */
  channel(id: string): string | undefined;
}

const SPECIAL = /<([^<>\n]*)>/g;

/**
 * Slack mrkdwn as plain text: `<@U123>` -> "@name", `<#C1|support>` -> "#support",
 * `<https://x|label>` -> "label (https://x)", `<!here>` -> "@here", `<!date^...|fallback>` ->
 * "fallback", and the three entities Slack escapes (`&amp;`, `&lt;`, `&gt;`). Emphasis
 * markers (`*bold*`) stay: they read fine as text.
 */
export function decodeMrkdwn(text: string, names: MrkdwnNames): string {
  return decodeEntities(text.replace(SPECIAL, (whole, inner: string) => decodeSpecial(inner, names) ?? whole));
}

/** Ids of the users a text mentions (`<@U123>`), to look their names up before decoding. */
export function mentionedUserIds(text: string): string[] {
  return [...text.matchAll(/<@([A-Z0-9]+)(?:\|[^<>]*)?>/g)].map((match) => match[1]!);
}

function decodeSpecial(inner: string, names: MrkdwnNames): string | undefined {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1).trim() || undefined;
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return `@${names.user(id) ?? label?.replace(/^@/, "") ?? id}`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return `#${label?.replace(/^#/, "") ?? names.channel(id) ?? id}`;
  }
  if (target.startsWith("!")) {
    const command = target.slice(1);
    if (label !== undefined) return label; // <!subteam^S1|@support>, <!date^...|Feb 18>
    const [word = command] = command.split("^");
    return `@${word}`; // <!here>, <!channel>, <!everyone>
  }
  if (target === "") return undefined;
  if (label === undefined || sameLink(label, target)) return label ?? target.replace(/^mailto:/, "");
  return `${label} (${target})`;
}

/** Slack auto-links "example.com" as <http://example.com|example.com>: the label alone says it all. */
function sameLink(label: string, url: string): boolean {
  const bare = (value: string) => value.replace(/^(?:https?:\/\/|mailto:|tel:)/i, "").replace(/\/$/, "");
  return bare(decodeEntities(label)) === bare(decodeEntities(url));
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * A Slack message's text as the customer meant it: the bot's own mention removed, other mentions,
 * channels and links as readable text (`<https://x|docs>` → `docs (https://x)`), entities unescaped.
 */
export function fromSlackText(text: string, botUserId?: string): string {
  return text
    .replace(/<([^<>\n]+)>/g, (_, inner: string) => {
      const [target = "", label] = inner.split("|", 2);
      if (target.startsWith("@")) return target.slice(1) === botUserId ? "" : `@${label ?? target.slice(1)}`;
      if (target.startsWith("#")) return `#${label ?? target.slice(1)}`;
      if (target.startsWith("!subteam^")) return `@${label ?? "group"}`;
      if (target.startsWith("!")) return `@${label ?? target.slice(1).split("^")[0]}`;
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

/** Whether the message text mentions the user (`<@U123>` or `<@U123|name>`). */
export function mentions(text: string, userId: string): boolean {
  return text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`);
}

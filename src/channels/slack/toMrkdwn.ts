/**
 * Markdown (what the model writes) to Slack mrkdwn: `&`, `<`, `>` escaped (Slack reads them as markup),
 * `[label](url)` links as `<url|label>`, `**bold**` as `*bold*`, `*italic*`/`_italic_` as `_italic_`,
 * `~~struck~~` as `~struck~`, `# headings` as bold lines, `- items` as `• items`. Code (fenced and inline)
 * is escaped but otherwise left alone; `> quotes` stay quotes. Works on half-finished text while streaming.
 */
export function toMrkdwn(markdown: string): string {
  const parts = markdown.split(/(```[\s\S]*?(?:```|$))/);
  return parts.map((part, i) => (i % 2 === 1 ? codeBlock(part) : prose(part))).join("");
}

/** Escapes the three characters Slack treats as markup in message text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function codeBlock(block: string): string {
  // Slack shows the language tag of ```lang as code text: drop it.
  const body = block.replace(/^```[\w+-]*[ \t]*\n?/, "").replace(/```$/, "");
  return "```\n" + escapeMrkdwn(body.replace(/\n$/, "")) + "\n```";
}

function prose(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const quote = /^\s{0,3}>\s?/.exec(line);
      const rest = quote ? line.slice(quote[0].length) : line;
      return (quote ? "> " : "") + proseLine(rest);
    })
    .join("\n");
}

function proseLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) return heading[1] ? `*${inline(heading[1].replace(/\*\*/g, ""))}*` : "";
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1]}• ${inline(bullet[2]!)}`;
  return inline(line);
}

/** Inline code spans are kept apart so nothing inside them is reformatted. */
function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((piece, i) => (i % 2 === 1 ? escapeMrkdwn(piece) : emphasis(piece)))
    .join("");
}

function emphasis(text: string): string {
  const links: string[] = [];
  // Links first, so their URLs are not touched by the emphasis rules below.
  let out = text.replace(/\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (whole, label: string, url: string) => {
    if (!/^(?:https?:\/\/|mailto:)/i.test(url)) return whole;
    links.push(`<${url.replace(/&/g, "&amp;").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/\|/g, "%7C")}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`);
    return `\u0000${links.length - 1}\u0000`;
  });
  out = escapeMrkdwn(out);
  out = out
    .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?!\*)/g, "$1\u0001$2\u0001") // *italic* (before bold turns into *)
    .replace(/\*\*(?!\s)(.+?)(?<!\s)\*\*/g, "*$1*")
    .replace(/(^|\W)__(?!\s)(.+?)(?<!\s)__(?!\w)/g, "$1*$2*")
    .replace(/~~(?!\s)(.+?)(?<!\s)~~/g, "~$1~")
    .replace(/\u0001/g, "_");
  return out.replace(/\u0000(\d+)\u0000/g, (_, n: string) => links[Number(n)]!);
}

/** Discord's limit on a message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;

/**
 * Splits text into messages of at most `maxLength` characters: between lines where it can, else at a
 * space, never inside a word (only a single "word" longer than a whole message is cut). A code block
 * that spans two messages is closed at the end of the first and reopened, with its language, at the
 * start of the next, so each message renders on its own.
 */
export function splitMessage(text: string, maxLength = DISCORD_MESSAGE_LIMIT): string[] {
  const trimmed = text.replace(/\s+$/, "");
  if (trimmed.length <= maxLength) return trimmed === "" ? [] : [trimmed];
  const chunks: string[] = [];
  let current = "";
  /** The line that opened the code block `current` is inside, if any. */
  let fence: string | undefined;

  const flush = () => {
    let body = current.replace(/\s+$/, "");
    let close = fence !== undefined;
    // A block opened on the last line has nothing in it yet: leave it to the next message.
    if (fence && body.endsWith(fence) && (body.length === fence.length || body[body.length - fence.length - 1] === "\n")) {
      body = body.slice(0, -fence.length).replace(/\s+$/, "");
      close = false;
    }
    if (body.trim() !== "") chunks.push(close ? `${body}\n\`\`\`` : body);
    current = fence ? `${fence}\n` : "";
  };
  /** Room left in `current`, keeping space to close the open block. */
  const room = (fenceAfter: string | undefined) => maxLength - current.length - (fenceAfter ? "\n```".length : 0);

  for (const line of trimmed.split(/(?<=\n)/)) {
    // An odd number of ``` on a line opens or closes a block ("```ts" keeps its language for the reopening).
    const toggles = (line.match(/```/g) ?? []).length % 2 === 1;
    const fenceAfter = toggles ? (fence === undefined ? (/^\s*```\S*\s*$/.test(line) ? line.trim() : "```") : undefined) : fence;
    if (line.length <= room(fenceAfter)) {
      current += line;
      fence = fenceAfter;
      continue;
    }
    flush();
    if (line.length <= room(fenceAfter)) {
      current += line;
      fence = fenceAfter;
      continue;
    }
    // One line longer than a whole message: cut it after a space (a single word that long is cut where it must be).
    let rest = line;
    while (rest.length > room(fence)) {
      const fit = room(fence);
      const space = rest.lastIndexOf(" ", fit - 1);
      const end = space > 0 ? space + 1 : fit;
      current += rest.slice(0, end);
      rest = rest.slice(end);
      flush();
    }
    current += rest;
    fence = fenceAfter;
  }
  flush();
  return chunks;
}

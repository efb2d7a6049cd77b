/**
 * An export cut short (the exporter was stopped, the disk filled up) is a prefix
 * of a valid file. This finds the last message that is complete and closes the
 * JSON after it, so the messages before the break can still be read.
 *
 * @returns the repaired text (same offsets as the original up to the cut) and whether
 *   every message was complete (only the end of the file after them is broken), or
 *   undefined when the break comes before the `messages` array
 */
export function salvageTruncatedExport(text: string, errorOffset: number): { text: string; allMessages: boolean } | undefined {
  const key = /"messages"\s*:\s*\[/.exec(text);
  if (key === null) return undefined;
  const arrayStart = key.index + key[0].length;
  if (errorOffset < arrayStart) return undefined;

  let depth = 1;
  let lastComplete = arrayStart;
  let inString = false;
  for (let pos = arrayStart; pos < errorOffset && pos < text.length; pos++) {
    const char = text[pos];
    if (inString) {
      if (char === "\\") pos++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 1) lastComplete = pos + 1;
      // The array itself closed: only the end of the file after it is broken.
      if (depth === 0) return { text: `${text.slice(0, pos + 1)}}`, allMessages: true };
    }
  }
  return { text: `${text.slice(0, lastComplete)}]}`, allMessages: false };
}

/** One element of a JSON array file, parsed, with the line it starts on. */
export interface JsonArrayElement {
  value: unknown;
  /** 1-based. */
  line: number;
}

export interface JsonArrayRead {
  elements: JsonArrayElement[];
  /** Elements that are not valid JSON, and where the file stops making sense (truncated, garbage). */
  problems: { line: number; message: string }[];
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * Reads a file holding one JSON array (a Slack day file, `users.json`) element by
 * element, so one bad element or a truncated tail loses only what is broken: each
 * element is cut out by bracket depth (string-aware) and parsed alone. Line numbers
 * come from the same walk.
 */
export function readJsonArray(text: string): JsonArrayRead {
  const elements: JsonArrayElement[] = [];
  const problems: JsonArrayRead["problems"] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const skipWhitespace = () => {
    while (pos < text.length && WHITESPACE.has(text[pos]!)) if (text[pos++] === "\n") line++;
  };

  skipWhitespace();
  if (text[pos] !== "[") {
    problems.push({ line, message: pos >= text.length ? "the file is empty, expected a JSON array" : "expected a JSON array ([ ... ])" });
    return { elements, problems };
  }
  pos++;
  skipWhitespace();
  if (text[pos] === "]") return finish();
  for (let index = 1; ; index++) {
    skipWhitespace();
    const start = pos;
    const startLine = line;
    let depth = 0;
    let inString = false;
    for (; pos < text.length; pos++) {
      const char = text[pos]!;
      if (inString) {
        if (char === "\\") pos++;
        else if (char === '"') inString = false;
        else if (char === "\n") line++;
      } else if (char === '"') inString = true;
      else if (char === "{" || char === "[") depth++;
      else if (char === "}" || char === "]") {
        if (depth === 0) break; // the closing bracket of the file's array
        depth--;
      } else if (char === "," && depth === 0) break;
      else if (char === "\n") line++;
    }
    if (pos >= text.length) {
      problems.push({ line: startLine, message: `the file ends inside element ${index} (truncated?); it and anything after it were skipped` });
      return { elements, problems };
    }
    if (text[pos] === "}") {
      problems.push({ line, message: `unexpected } after element ${index}; the rest of the file was skipped` });
      return { elements, problems };
    }
    try {
      elements.push({ value: JSON.parse(text.slice(start, pos)), line: startLine });
    } catch (error) {
      problems.push({ line: startLine, message: `element ${index} is not valid JSON, skipped: ${(error as Error).message}` });
    }
    if (text[pos] === "]") return finish();
    pos++; // the comma
  }

  /** After the closing bracket only whitespace may follow. */
  function finish(): JsonArrayRead {
    pos++;
    skipWhitespace();
    if (pos < text.length) problems.push({ line, message: "unexpected text after the closing ] of the array, ignored" });
    return { elements, problems };
  }
}

/** Where the elements of the arrays a FAQ file can hold start, as offsets into the text. */
export type JsonElementOffsets =
  | {
      ok: true;
      /** Element starts when the top-level value is an array. */
      root?: number[];
      /** Element starts of each top-level key whose value is an array (the last one wins, as in JSON.parse). */
      keys: Map<string, number[]>;
      /** Offset of the top-level value. */
      start: number;
    }
  | { ok: false; offset: number };

/**
 * JSON.parse gives values but no positions, and on Node 20 some syntax errors come
 * without a position either. This strict scanner walks the same grammar and reports
 * where each element of the top-level array (or of a top-level key's array) starts, or
 * the offset of the first syntax error.
 */
export function scanJsonElements(text: string): JsonElementOffsets {
  const scanner = new Scanner(text);
  try {
    const start = scanner.skipWhitespace();
    const keys = new Map<string, number[]>();
    let root: number[] | undefined;
    if (text[start] === "[") root = scanner.array();
    else if (text[start] === "{") scanner.object(keys);
    else scanner.value();
    if (scanner.skipWhitespace() !== text.length) throw new ScanError(scanner.pos);
    return { ok: true, ...(root !== undefined ? { root } : {}), keys, start };
  } catch (error) {
    if (error instanceof ScanError) return { ok: false, offset: Math.min(error.offset, text.length) };
    throw error;
  }
}

class ScanError extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at offset ${offset}`);
  }
}

class Scanner {
  pos = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): number {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos]!)) this.pos++;
    return this.pos;
  }

  /** Skips one value; returns its start offset. */
  value(): number {
    const start = this.skipWhitespace();
    const char = this.text[start];
    if (char === "{") this.object();
    else if (char === "[") this.array();
    else if (char === '"') this.string();
    else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) this.number();
    else this.literal();
    return start;
  }

  /** Skips an array; returns where each element starts. */
  array(): number[] {
    const starts: number[] = [];
    this.expect("[");
    if (this.skipWhitespace() < this.text.length && this.text[this.pos] === "]") {
      this.pos++;
      return starts;
    }
    for (;;) {
      starts.push(this.value());
      this.skipWhitespace();
      if (this.text[this.pos] !== ",") break;
      this.pos++;
    }
    this.expect("]");
    return starts;
  }

  /** Skips an object; when `keys` is given, records the element starts of each key whose value is an array. */
  object(keys?: Map<string, number[]>): void {
    this.expect("{");
    if (this.skipWhitespace() < this.text.length && this.text[this.pos] === "}") {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      const keyStart = this.pos;
      this.string();
      const key = JSON.parse(this.text.slice(keyStart, this.pos)) as string;
      this.skipWhitespace();
      this.expect(":");
      this.skipWhitespace();
      if (keys !== undefined && this.text[this.pos] === "[") keys.set(key, this.array());
      else {
        keys?.delete(key);
        this.value();
      }
      this.skipWhitespace();
      if (this.text[this.pos] !== ",") break;
      this.pos++;
    }
    this.expect("}");
  }

  string(): void {
    this.expect('"');
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!;
      if (char === '"') {
        this.pos++;
        return;
      }
      if (char < " ") throw new ScanError(this.pos);
      if (char === "\\") {
        const escape = this.text[this.pos + 1];
        if (escape === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) throw new ScanError(this.pos);
          this.pos += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) this.pos += 2;
        else throw new ScanError(this.pos);
      } else this.pos++;
    }
    throw new ScanError(this.pos);
  }

  number(): void {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    if (match.exec(this.text) === null) throw new ScanError(this.pos);
    this.pos = match.lastIndex;
  }

  literal(): void {
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    throw new ScanError(this.pos);
  }

  expect(char: string): void {
    if (this.text[this.pos] !== char) throw new ScanError(this.pos);
    this.pos++;
  }
}

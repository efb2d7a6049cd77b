/**
 * A small, safe Markdown subset for answers: paragraphs, headings, lists, tables, code, emphasis and
 * http(s)/mailto links. Parsed to a tree, then built with DOM calls and `textContent` only — never HTML —
 * so whatever a model or a knowledge base writes (`<img onerror=...>`, `javascript:` links) stays text.
 */
export type Inline =
  | { t: "text"; v: string }
  | { t: "strong" | "em"; c: Inline[] }
  | { t: "code"; v: string }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "p" | "h"; c: Inline[] }
  | { t: "ul" | "ol"; items: Inline[][] }
  | { t: "pre"; v: string }
  | { t: "table"; head: Inline[][]; rows: Inline[][][] };

const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) blocks.push({ t: "p", c: parseInline(para.join("\n")) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]!); i++) code.push(lines[i]!);
      blocks.push({ t: "pre", v: code.join("\n") });
    } else if ((m = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line))) {
      flush();
      blocks.push({ t: "h", c: parseInline(m[1]!) });
    } else if (/^\s*\|.*\|\s*$/.test(line) && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1] ?? "")) {
      flush();
      const head = cells(line);
      const rows: Inline[][][] = [];
      for (i += 2; i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]!); i++) rows.push(cells(lines[i]!));
      i--;
      blocks.push({ t: "table", head, rows });
    } else if ((m = /^\s*([-*+]|\d{1,3}[.)])\s+(.*)$/.exec(line))) {
      flush();
      const ordered = /\d/.test(m[1]!);
      const items: string[] = [m[2]!];
      for (i++; i < lines.length; i++) {
        const next = lines[i]!;
        const item = /^\s*([-*+]|\d{1,3}[.)])\s+(.*)$/.exec(next);
        if (item && /\d/.test(item[1]!) === ordered) items.push(item[2]!);
        else if (/^\s{2,}\S/.test(next) && !item) items[items.length - 1] += `\n${next.trim()}`;
        else break;
      }
      i--;
      blocks.push({ t: ordered ? "ol" : "ul", items: items.map(parseInline) });
    } else if (line.trim() === "") {
      flush();
    } else {
      para.push(line.trim());
    }
  }
  flush();
  return blocks;
}

function cells(row: string): Inline[][] {
  return row
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((cell) => parseInline(cell.trim()));
}

export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", v: text });
    text = "";
  };
  const push = (node: Inline, length: number) => {
    flush();
    out.push(node);
    i += length;
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const rest = source.slice(i);
    const before = source[i - 1] ?? " ";
    let m: RegExpExecArray | null;
    if (ch === "\n") push({ t: "br" }, 1);
    else if (ch === "\\" && (m = /^\\([\\`*_[\]()#+\-.!|<>])/.exec(rest))) {
      text += m[1];
      i += 2;
    } else if (ch === "`" && (m = /^`([^`\n]+)`/.exec(rest))) push({ t: "code", v: m[1]! }, m[0].length);
    else if ((ch === "*" || (ch === "_" && !/\w/.test(before))) && (m = (ch === "*" ? /^\*\*(?=\S)([\s\S]*?\S)\*\*/ : /^__(?=\S)([\s\S]*?\S)__(?!\w)/).exec(rest)))
      push({ t: "strong", c: parseInline(m[1]!) }, m[0].length);
    else if ((ch === "*" || (ch === "_" && !/\w/.test(before))) && (m = /^([*_])(?=[^\s*_])([^*_\n]*?[^\s*_])\1(?![*_\w])/.exec(rest)))
      push({ t: "em", c: parseInline(m[2]!) }, m[0].length);
    else if (ch === "[" && (m = /^\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?\s*\)/.exec(rest))) {
      if (SAFE_HREF.test(m[2]!)) push({ t: "link", href: m[2]!, c: parseInline(m[1]!) }, m[0].length);
      else push({ t: "text", v: m[1]! }, m[0].length); // an unsafe link keeps its label only
    } else if ((ch === "h" || ch === "H") && !/\w/.test(before) && (m = /^https?:\/\/[^\s<>()[\]]*[^\s<>()[\].,;:!?'"*_]/i.exec(rest)))
      push({ t: "link", href: m[0], c: [{ t: "text", v: m[0] }] }, m[0].length);
    else {
      text += ch;
      i++;
    }
  }
  flush();
  return out;
}

/** Builds the blocks as DOM nodes in `parent` (replacing what it held). Links open in a new tab, without the opener. */
export function renderMarkdown(parent: HTMLElement, source: string): void {
  const doc = parent.ownerDocument;
  const inline = (into: HTMLElement, nodes: Inline[]) => {
    for (const node of nodes) {
      if (node.t === "text") into.append(doc.createTextNode(node.v));
      else if (node.t === "br") into.append(doc.createElement("br"));
      else if (node.t === "code") into.append(Object.assign(doc.createElement("code"), { textContent: node.v }));
      else if (node.t === "link") {
        const a = doc.createElement("a");
        a.href = node.href;
        a.target = "_blank";
        a.rel = "noopener noreferrer nofollow";
        inline(a, node.c);
        into.append(a);
      } else {
        const el = doc.createElement(node.t);
        inline(el, node.c);
        into.append(el);
      }
    }
  };
  const nodes: Node[] = parseMarkdown(source).map((block) => {
    if (block.t === "pre") {
      const pre = doc.createElement("pre");
      pre.append(Object.assign(doc.createElement("code"), { textContent: block.v }));
      return pre;
    }
    if (block.t === "table") {
      const wrap = doc.createElement("div");
      wrap.className = "table";
      const table = doc.createElement("table");
      const row = (cellsOf: Inline[][], tag: "th" | "td") => {
        const tr = doc.createElement("tr");
        for (const cell of cellsOf) {
          const td = doc.createElement(tag);
          inline(td, cell);
          tr.append(td);
        }
        return tr;
      };
      table.createTHead().append(row(block.head, "th"));
      const body = table.createTBody();
      for (const r of block.rows) body.append(row(r, "td"));
      wrap.append(table);
      return wrap;
    }
    if ("items" in block) {
      const list = doc.createElement(block.t);
      for (const item of block.items) {
        const li = doc.createElement("li");
        inline(li, item);
        list.append(li);
      }
      return list;
    }
    const el = doc.createElement("p");
    if (block.t === "h") el.className = "heading";
    inline(el, block.c);
    return el;
  });
  parent.replaceChildren(...nodes);
}

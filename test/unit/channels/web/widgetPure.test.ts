import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown } from "../../../../src/channels/web/widget/markdown.js";
import { readSse, type SseEvent } from "../../../../src/channels/web/widget/readSse.js";
import { format, parseStrings } from "../../../../src/channels/web/widget/strings.js";

describe("parseMarkdown (the widget's safe subset)", () => {
  it("parses paragraphs, headings, lists, code blocks and tables", () => {
    const blocks = parseMarkdown("# Plans\n\nFirst line\nsecond line\n\n- one\n- **two**\n\n1. a\n2) b\n\n```\n<b>raw</b>\n```\n\n| Plan | Price |\n| --- | --- |\n| Free | $0 |");
    expect(blocks.map((b) => b.t)).toEqual(["h", "p", "ul", "ol", "pre", "table"]);
    expect(blocks[1]).toEqual({ t: "p", c: [{ t: "text", v: "First line" }, { t: "br" }, { t: "text", v: "second line" }] });
    expect(blocks[2]).toEqual({ t: "ul", items: [[{ t: "text", v: "one" }], [{ t: "strong", c: [{ t: "text", v: "two" }] }]] });
    expect(blocks[4]).toEqual({ t: "pre", v: "<b>raw</b>" });
    expect(blocks[5]).toEqual({ t: "table", head: [[{ t: "text", v: "Plan" }], [{ t: "text", v: "Price" }]], rows: [[[{ t: "text", v: "Free" }], [{ t: "text", v: "$0" }]]] });
  });

  it("keeps HTML as text and links only http(s) and mailto", () => {
    expect(parseInline('<img src=x onerror="alert(1)">')).toEqual([{ t: "text", v: '<img src=x onerror="alert(1)">' }]);
    expect(parseInline("[x](javascript:alert(1))")).toEqual([{ t: "text", v: "x" }, { t: "text", v: ")" }]);
    expect(parseInline("[x](data:text/html,hi)")).toEqual([{ t: "text", v: "x" }]);
    expect(parseInline("[docs](https://a.example/b) or mail [us](mailto:help@a.example)")).toEqual([
      { t: "link", href: "https://a.example/b", c: [{ t: "text", v: "docs" }] },
      { t: "text", v: " or mail " },
      { t: "link", href: "mailto:help@a.example", c: [{ t: "text", v: "us" }] },
    ]);
    expect(parseInline("see https://a.example/path, then")).toEqual([
      { t: "text", v: "see " },
      { t: "link", href: "https://a.example/path", c: [{ t: "text", v: "https://a.example/path" }] },
      { t: "text", v: ", then" },
    ]);
  });

  it("reads emphasis like Markdown does, not inside words or identifiers", () => {
    expect(parseInline("*a* _b_ **c** __d__ `e*f*`")).toEqual([
      { t: "em", c: [{ t: "text", v: "a" }] },
      { t: "text", v: " " },
      { t: "em", c: [{ t: "text", v: "b" }] },
      { t: "text", v: " " },
      { t: "strong", c: [{ t: "text", v: "c" }] },
      { t: "text", v: " " },
      { t: "strong", c: [{ t: "text", v: "d" }] },
      { t: "text", v: " " },
      { t: "code", v: "e*f*" },
    ]);
    expect(parseInline("snake_case_name and window.__x=1 then window.__y=2")).toEqual([{ t: "text", v: "snake_case_name and window.__x=1 then window.__y=2" }]);
    expect(parseInline("2 * 3 * 4 and \\*not em\\*")).toEqual([{ t: "text", v: "2 * 3 * 4 and *not em*" }]);
  });
});

describe("readSse", () => {
  const stream = (...chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
        c.close();
      },
    });

  it("parses events split anywhere across chunks, with CRLF, comments and multi-line data", async () => {
    const events: SseEvent[] = [];
    await readSse(stream("event: tok", "en\r\ndata: {\"a\"", ":1}\r", "\n\r\n: keep-alive\n\ndata: one\ndata: two\n\nevent: done\ndata:x"), (e) => events.push(e));
    expect(events).toEqual([
      { event: "token", data: '{"a":1}' },
      { event: "message", data: "one\ntwo" },
    ]);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode("data: Préférences → Réseau\n\n");
    const events: SseEvent[] = [];
    await readSse(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
          c.close();
        },
      }),
      (e) => events.push(e),
    );
    expect(events).toEqual([{ event: "message", data: "Préférences → Réseau" }]);
  });
});

describe("widget strings", () => {
  it("fills placeholders and takes only known string overrides", () => {
    expect(format("wait {seconds} s, {unknown}", { seconds: 5 })).toBe("wait 5 s, {unknown}");
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => warnings.push(m);
    try {
      expect(parseStrings('{"send":"Senden","nope":"x","title":3}')).toEqual({ send: "Senden" });
      expect(parseStrings("[1]")).toEqual({});
      expect(parseStrings("{broken")).toEqual({});
    } finally {
      console.warn = warn;
    }
    expect(warnings).toHaveLength(4);
  });
});

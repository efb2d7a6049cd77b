import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMarkdownFaq } from "./parseMarkdownFaq.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseMarkdownFaq", () => {
  it("reads leaf headings as questions, section titles as tags, and an explicit id", () => {
    const { entries } = parseMarkdownFaq(fixture("sections.md"), "sections.md");

    expect(entries.map(({ answer: _answer, ...rest }) => rest)).toEqual([
      { question: "How do I pay by invoice?", tags: ["Billing", "Payments"], line: 14 },
      { id: "pay-in-eur", question: "Can I pay in EUR?", tags: ["Billing", "Payments"], line: 19 },
      { question: "Where is my refund?", tags: ["Billing", "Refunds"], line: 25 },
      { question: "Closing hashes are dropped", tags: ["Billing"], line: 40 },
      { question: "Where is my refund", tags: ["Billing"], line: 44 },
    ]);
    expect(entries[0]?.answer).toBe("Ask support to switch your account to **invoicing**.\nInvoices are due within 30 days.");
    expect(entries[1]?.answer).toBe("Yes. Pick EUR at checkout.");
  });

  it("keeps headings inside ``` and ~~~ fences as part of the answer", () => {
    const { entries } = parseMarkdownFaq(fixture("sections.md"), "sections.md");

    expect(entries[2]?.answer).toBe(
      [
        "Refunds take 5–10 business days. To check on one:",
        "",
        "```sh",
        "# this is a shell comment, not a heading",
        "tidepool billing refunds",
        "```",
        "",
        "~~~",
        "## Not a heading either",
        "~~~",
      ].join("\n"),
    );
  });

  it("reports a leaf heading with no answer and skips it", () => {
    const { entries, issues } = parseMarkdownFaq(fixture("sections.md"), "sections.md");

    expect(entries.some((entry) => entry.question.startsWith("What if I was charged twice"))).toBe(false);
    expect(issues).toEqual([
      {
        file: "sections.md",
        line: 38,
        message: 'question has no answer: "What if I was charged twice?". Write the answer under the heading, or remove the heading.',
      },
    ]);
  });

  it("ignores front matter and text before the first heading", () => {
    const { entries } = parseMarkdownFaq("---\n# yaml comment\n---\nPreamble.\n\n## Q?\n\nA.\n", "f.md");

    expect(entries).toEqual([{ question: "Q?", answer: "A.", line: 6 }]);
  });

  it("gives the same result for CRLF line endings and a BOM", () => {
    const text = "# Section\n\n## First?\n\nOne.\n\n## Second? {#second}\n\nTwo.\n";
    const crlf = `\uFEFF${text.replace(/\n/g, "\r\n")}`;

    expect(parseMarkdownFaq(crlf, "f.md")).toEqual(parseMarkdownFaq(text, "f.md"));
    expect(parseMarkdownFaq(text, "f.md").entries).toEqual([
      { question: "First?", answer: "One.", tags: ["Section"], line: 3 },
      { id: "second", question: "Second?", answer: "Two.", tags: ["Section"], line: 7 },
    ]);
  });

  it("does not treat #hashtags, indented code, inline triple backticks or setext underlines as structure", () => {
    const text = [
      "## Q?", // 1
      "#hashtag", // 2
      "    # indented code", // 3
      "```inline``` code", // 4
      "## not a heading after inline backticks?", // 5
      "Setext title", // 6
      "============", // 7
    ].join("\n");

    const { entries } = parseMarkdownFaq(text, "f.md");

    // Line 5 is a real heading: "```inline```" has backticks in its info string, so it opens no fence.
    expect(entries).toEqual([
      { question: "Q?", answer: "#hashtag\n    # indented code\n```inline``` code", line: 1 },
      { question: "not a heading after inline backticks?", answer: "Setext title\n============", line: 5 },
    ]);
  });

  it("closes a fence only with the same character, at least as long", () => {
    const text = ["## Q?", "````", "```", "~~~", "## still code", "````", "## Next?", "Yes."].join("\n");

    const { entries } = parseMarkdownFaq(text, "f.md");

    expect(entries.map((entry) => entry.question)).toEqual(["Q?", "Next?"]);
    expect(entries[0]?.answer).toBe("````\n```\n~~~\n## still code\n````");
  });

  it("reports a fence that is never closed", () => {
    const { entries, issues } = parseMarkdownFaq("## Q?\n\n```js\ncode\n\n## Swallowed?\n\nYes.\n", "f.md");

    expect(entries.map((entry) => entry.question)).toEqual(["Q?"]);
    expect(issues).toEqual([
      {
        file: "f.md",
        line: 3,
        message: "code fence ``` is never closed, so everything after it is read as code: close it with ```",
      },
    ]);
  });

  it("reports a heading with no text", () => {
    const { entries, issues } = parseMarkdownFaq("##\n\nOrphan answer.\n", "f.md");

    expect(entries).toEqual([]);
    expect(issues).toEqual([
      { file: "f.md", line: 1, message: "heading has no text: write the question after the #s, or remove the heading" },
    ]);
  });

  it("ends a section at a heading of the same or a higher level", () => {
    const text = "# A\n## A1\n### q1\nx\n# B\n### q2\ny\n## q3\nz\n";

    const { entries } = parseMarkdownFaq(text, "f.md");

    expect(entries.map((entry) => [entry.question, entry.tags])).toEqual([
      ["q1", ["A", "A1"]],
      ["q2", ["B"]],
      ["q3", ["B"]],
    ]);
  });
});

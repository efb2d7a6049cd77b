import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJsonFaq } from "./parseJsonFaq.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseJsonFaq", () => {
  it("keeps the good elements, with the line each one starts on", () => {
    const { entries } = parseJsonFaq(fixture("entries.json"), "entries.json");

    expect(entries).toEqual([
      {
        id: "reset-password",
        question: "How do I reset my password?",
        answer: 'Click "Forgot password" on the sign-in page.\nThe link is valid for 1 hour.',
        url: "https://help.example.com/reset",
        tags: ["account", "security"],
        line: 2,
      },
      { question: "Where do I find my invoices?", answer: "Under Billing → Invoices.", line: 9 },
      {
        question: "Is there a bracket ] or brace { in this string?",
        answer: "Yes, and the scanner must not count them: [ { ] }",
        line: 10,
      },
    ]);
  });

  it("reports each bad element at the line where it starts, with every reason", () => {
    const { issues } = parseJsonFaq(fixture("entries.json"), "entries.json");

    expect(issues).toEqual([
      { file: "entries.json", line: 14, message: 'entry 4 skipped: "answer" is missing' },
      {
        file: "entries.json",
        line: 17,
        message: 'entry 5 skipped: expected an object with "question" and "answer", got a string "just a string"',
      },
      { file: "entries.json", line: 18, message: 'entry 6 skipped: "tags" must be an array of strings, but tag 2 is a number' },
      { file: "entries.json", line: 19, message: 'entry 7 skipped: "question" is empty; "answer" must be a string, got a number' },
    ]);
  });

  it("reports a syntax error that Node gives no position for at its line, and ingests nothing", () => {
    const { entries, issues } = parseJsonFaq(fixture("broken.json"), "broken.json");

    expect(entries).toEqual([]);
    expect(issues).toHaveLength(1);
    // The trailing comma is on line 3; the parser notices at the "]" on line 4.
    expect(issues[0]).toMatchObject({ file: "broken.json", line: 4 });
    expect(issues[0]?.message).toMatch(/^invalid JSON, so nothing in this file was ingested: .*Fix the syntax/);
  });

  it("converts Node's 'at position N' to a line", () => {
    const text = '[\n  { "question": "a?", "answer": "b" },\n  { "question": "c?" "answer": "d" }\n]';

    const { entries, issues } = parseJsonFaq(text, "f.json");

    expect(entries).toEqual([]);
    expect(issues).toEqual([{ file: "f.json", line: 3, message: expect.stringContaining("after property value") }]);
  });

  it("reports an unterminated file at its last line", () => {
    expect(parseJsonFaq('[\n  { "question": "a?",\n', "f.json").issues).toEqual([
      { file: "f.json", line: 3, message: expect.stringContaining("invalid JSON") },
    ]);
  });

  it.each(["entries", "faq"])("accepts an object with an %s array", (key) => {
    const text = `{\n  "version": 1,\n  "${key}": [\n    { "question": "a?", "answer": "b" },\n    { "question": "c?", "answer": "d", "tags": null }\n  ]\n}`;

    expect(parseJsonFaq(text, "f.json")).toEqual({
      entries: [
        { question: "a?", answer: "b", line: 4 },
        { question: "c?", answer: "d", line: 5 },
      ],
      issues: [],
    });
  });

  it("uses the last of duplicate keys, as JSON.parse does", () => {
    const text = '{\n"faq": [{"question": "old?", "answer": "x"}],\n"faq": [\n\n{"question": "new?", "answer": "y"}]\n}';

    expect(parseJsonFaq(text, "f.json").entries).toEqual([{ question: "new?", answer: "y", line: 5 }]);
  });

  it("reports a file whose top level is not a list of entries", () => {
    expect(parseJsonFaq('\n{ "questions": [] }', "f.json")).toEqual({
      entries: [],
      issues: [
        {
          file: "f.json",
          line: 2,
          message:
            'expected an array of { "question", "answer" } objects, or an object with an "entries" or "faq" array: wrap the entries in [ ... ]',
        },
      ],
    });
  });

  it("handles a BOM, CRLF and escapes before the elements it locates", () => {
    const text = '\uFEFF[\r\n{"question": "q\\"1\\\\", "answer": "a [\\u005d"},\r\n\r\n  {"question": "q2", "answer": "a2"}]';

    expect(parseJsonFaq(text, "f.json")).toEqual({
      entries: [
        { question: 'q"1\\', answer: "a []", line: 2 },
        { question: "q2", answer: "a2", line: 4 },
      ],
      issues: [],
    });
  });

  it("rejects optional fields of the wrong type instead of coercing them", () => {
    const { entries, issues } = parseJsonFaq('[{"id": 7, "question": "q", "answer": "a", "url": ""}]', "f.json");

    expect(entries).toEqual([]);
    expect(issues).toEqual([
      {
        file: "f.json",
        line: 1,
        message:
          'entry 1 skipped: "id" must be a non-empty string when present, got a number; "url" must be a non-empty string when present, got a string ""',
      },
    ]);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCsvFaq } from "./parseCsvFaq.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseCsvFaq", () => {
  it("reads quoted commas, doubled quotes and multi-line fields after a BOM, with start lines", () => {
    const text = fixture("integrations.csv");
    expect(text.startsWith("\uFEFF")).toBe(true);

    const { entries } = parseCsvFaq(text, "integrations.csv");

    expect(entries).toEqual([
      {
        id: "slack",
        question: "How do I connect Slack?",
        answer: 'Open Settings, then Integrations, and click "Connect Slack".',
        url: "https://help.example.com/slack",
        tags: ["chat", "notifications"],
        line: 2,
      },
      {
        question: "Does the Zapier integration support triggers?",
        answer: "Yes, three:\n- a new file is added\n- a file changes",
        tags: ["automation", "zapier"],
        line: 3,
      },
      { question: "Is there an API?", answer: "Yes, a REST API.", line: 9 },
    ]);
  });

  it("reports a short row and an empty answer at their lines, and goes on", () => {
    const { issues } = parseCsvFaq(fixture("integrations.csv"), "integrations.csv");

    expect(issues).toEqual([
      {
        file: "integrations.csv",
        line: 6,
        message:
          "row has 2 fields but the header has 5: put quotes around fields that contain commas, and check for a missing or extra comma",
      },
      { file: "integrations.csv", line: 7, message: "row skipped: answer is empty" },
    ]);
  });

  it("reports a header without question and answer columns once, at its line", () => {
    expect(parseCsvFaq("q,a\nHow?,Like this.\n", "f.csv")).toEqual({
      entries: [],
      issues: [
        {
          file: "f.csv",
          line: 1,
          message: 'the header row needs "question" and "answer" columns but has "q", "a": make the first row e.g. id,question,answer,url,tags',
        },
      ],
    });
  });

  it("counts lines right with CRLF endings, blank lines and a multi-line field", () => {
    const text = '\r\nquestion,answer\r\none?,"a\r\nb"\r\n\r\n,,\r\ntwo?,c\r\n';

    expect(parseCsvFaq(text, "f.csv")).toEqual({
      entries: [
        { question: "one?", answer: "a\nb", line: 3 },
        { question: "two?", answer: "c", line: 7 },
      ],
      issues: [],
    });
  });

  it("keeps a stray quote inside an unquoted field as text", () => {
    expect(parseCsvFaq('question,answer\nDoes it fit a 13" laptop?,Yes.\n', "f.csv").entries).toEqual([
      { question: 'Does it fit a 13" laptop?', answer: "Yes.", line: 2 },
    ]);
  });

  it("reports an unclosed quote at the row that opened it, and ingests nothing", () => {
    const { entries, issues } = parseCsvFaq('question,answer\nok?,fine\nbad?,"never closed\nmore\n', "f.csv");

    expect(entries).toEqual([]);
    expect(issues).toEqual([{ file: "f.csv", line: 3, message: expect.stringContaining("invalid CSV, so nothing in this file was ingested") }]);
  });

  it("reports an empty question, and ignores extra columns", () => {
    expect(parseCsvFaq("category,question,answer\nbilling, ,Yes.\n", "f.csv")).toEqual({
      entries: [],
      issues: [{ file: "f.csv", line: 2, message: "row skipped: question is empty" }],
    });
  });

  it("returns nothing for an empty file", () => {
    expect(parseCsvFaq("", "f.csv")).toEqual({ entries: [], issues: [] });
  });
});

import type { SourceIssue } from "../../src/types.js";
import type { FaqEntry, FaqParseResult } from "./FaqEntry.js";

interface Heading {
  level: number;
  title: string;
  id?: string;
  line: number;
  body: string[];
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const CLOSING_HASHES = /(?:^|[ \t]+)#+$/;
const EXPLICIT_ID = /[ \t]*\{#([^\s{}]+)\}$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * Reads a Markdown FAQ: each leaf heading is a question and the text under it, up to
 * the next heading, is its answer. A heading with deeper headings under it is a section;
 * section titles become the `tags` of the questions inside. Text under a section heading
 * before its first sub-heading is an introduction and is not indexed.
 *
 * - `## How do I pay? {#pay}` gives the entry the explicit id `pay`.
 * - Headings inside ``` or ~~~ code fences are code, not headings.
 * - Only ATX headings (`#` to `######`) count. Setext headings (a line underlined with
 *   `===` or `---`) are not recognised, so their text stays part of the answer above.
 * - YAML front matter (`---` ... `---` at the very top) is skipped.
 *
 * @param file relative path of the file, used in issues
 */
export function parseMarkdownFaq(text: string, file: string): FaqParseResult {
  const issues: SourceIssue[] = [];
  const headings = splitIntoHeadings(text, file, issues);
  const entries: FaqEntry[] = [];
  const sections: Heading[] = [];

  headings.forEach((heading, index) => {
    while (sections.length > 0 && sections[sections.length - 1]!.level >= heading.level) sections.pop();
    const next = headings[index + 1];
    if (next !== undefined && next.level > heading.level) {
      sections.push(heading);
      return;
    }

    const answer = heading.body.join("\n").trim();
    if (heading.title === "") {
      issues.push({ file, line: heading.line, message: "heading has no text: write the question after the #s, or remove the heading" });
      return;
    }
    if (answer === "") {
      issues.push({
        file,
        line: heading.line,
        message: `question has no answer: "${heading.title}". Write the answer under the heading, or remove the heading.`,
      });
      return;
    }
    const tags = sections.map((section) => section.title).filter((title) => title !== "");
    entries.push({
      ...(heading.id !== undefined ? { id: heading.id } : {}),
      question: heading.title,
      answer,
      ...(tags.length > 0 ? { tags } : {}),
      line: heading.line,
    });
  });

  return { entries, issues };
}

/** Cuts the file into headings with the lines under each; text before the first heading is dropped. */
function splitIntoHeadings(text: string, file: string, issues: SourceIssue[]): Heading[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headings: Heading[] = [];
  let fence: { marker: string; line: number } | undefined;
  let start = 0;

  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (end > 0) start = end + 1;
  }

  for (let index = start; index < lines.length; index++) {
    const line = lines[index]!;
    const current = headings[headings.length - 1];

    if (fence !== undefined) {
      if (closesFence(line, fence.marker)) fence = undefined;
      current?.body.push(line);
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    // A backtick fence's info string may not contain backticks (CommonMark), so "```a```" is inline code.
    if (fenceMatch !== null && !(fenceMatch[1]!.startsWith("`") && fenceMatch[2]!.includes("`"))) {
      fence = { marker: fenceMatch[1]!, line: index + 1 };
      current?.body.push(line);
      continue;
    }

    const heading = ATX_HEADING.exec(line);
    if (heading === null) {
      current?.body.push(line);
      continue;
    }
    let title = (heading[2] ?? "").replace(CLOSING_HASHES, "").trim();
    const explicitId = EXPLICIT_ID.exec(title);
    if (explicitId !== null) title = title.slice(0, explicitId.index).trim();
    headings.push({
      level: heading[1]!.length,
      title,
      ...(explicitId !== null ? { id: explicitId[1]! } : {}),
      line: index + 1,
      body: [],
    });
  }

  if (fence !== undefined) {
    // Renderers also run an unclosed fence to the end of the file; say so, because it
    // silently turns every later question into part of one answer.
    issues.push({
      file,
      line: fence.line,
      message: `code fence ${fence.marker} is never closed, so everything after it is read as code: close it with ${fence.marker}`,
    });
  }
  return headings;
}

function closesFence(line: string, opener: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  return match !== null && match[1]![0] === opener[0] && match[1]!.length >= opener.length;
}

import { ANCHOR_MARK } from "./htmlToMarkdown.js";

/** A part of a page under one heading (or before the first). */
export interface PageSection {
  heading?: string;
  /** The heading's anchor, for citing `url#anchor`. */
  anchor?: string;
  level: number;
  text: string;
}

/**
 * Splits Markdown made by `createHtmlToMarkdown` at headings of `maxLevel` or above (deeper headings
 * stay in their section's text), ignoring `#` lines inside fenced code.
 */
export function splitSections(markdown: string, maxLevel = 4): PageSection[] {
  const sections: PageSection[] = [];
  let current: PageSection = { level: 0, text: "" };
  const lines: string[] = [];
  let fenced = false;
  const close = () => {
    current.text = tidy(lines.splice(0).join("\n"));
    sections.push(current);
  };
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6}) (.*)$/.exec(line);
    if (heading && heading[1]!.length <= maxLevel) {
      close();
      const anchor = ANCHOR_MARK.exec(heading[2]!)?.[1];
      current = { heading: heading[2]!.replace(ANCHOR_MARK, "").trim(), ...(anchor ? { anchor } : {}), level: heading[1]!.length, text: "" };
    } else {
      lines.push(fenced ? line : line.replace(ANCHOR_MARK, ""));
    }
  }
  close();
  return sections;
}

function tidy(text: string): string {
  return text.replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim();
}

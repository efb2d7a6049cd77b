import { slugify } from "../../src/sourceDoc.js";
import type { SourceKind } from "../../src/types.js";
import type { JsonLdQuestion } from "./faqJsonLd.js";
import type { HtmlElement } from "./htmlTypes.js";
import { createHtmlToMarkdown } from "./htmlToMarkdown.js";
import { splitSections } from "./splitSections.js";

/** One doc of a page: a section under a heading, or a question and its answer. */
export interface HtmlDoc {
  kind: SourceKind;
  title: string;
  text: string;
  /** Cite `url#anchor`; none for the page's top. */
  anchor?: string;
}

export interface HtmlDocsOptions {
  pageTitle: string;
  /** Questions from the page's FAQPage JSON-LD: each becomes a `faq` doc, replacing a visible one with the same question. */
  faq?: readonly JsonLdQuestion[];
}

const markdown = createHtmlToMarkdown();
const MARK = (n: number) => `LLAMADESKACCORDION${n}X`;
const MARKS = /LLAMADESKACCORDION(\d+)X/g;

/**
 * Turns main content into docs: `<details><summary>` accordions and question headings ("…?") become
 * `faq` docs, everything else one `doc` per heading section; JSON-LD questions are added as `faq`
 * docs. The element is changed (accordions are taken out).
 */
export function htmlDocs(root: HtmlElement, options: HtmlDocsOptions): HtmlDoc[] {
  const accordions: { question: string; answer: string; anchor?: string }[] = [];
  for (const details of [...root.querySelectorAll("details")]) {
    const summary = details.querySelector("summary");
    if (!summary) continue;
    const question = (summary.textContent ?? "").replace(/\s+/g, " ").trim();
    const anchor = details.getAttribute("id") || summary.getAttribute("id") || undefined;
    summary.remove();
    const answer = markdown.turndown(details.innerHTML).trim();
    const marker = root.ownerDocument.createElement("p");
    marker.textContent = MARK(accordions.length);
    details.replaceWith(marker);
    accordions.push({ question, answer, ...(anchor ? { anchor } : {}) });
  }

  const docs: HtmlDoc[] = [];
  for (const section of splitSections(markdown.turndown(root.innerHTML))) {
    const text = section.text.replace(MARKS, (_, n: string) => {
      const accordion = accordions[Number(n)]!;
      const anchor = accordion.anchor ?? section.anchor;
      if (accordion.question && accordion.answer) docs.push({ kind: "faq", title: accordion.question, text: accordion.answer, ...(anchor ? { anchor } : {}) });
      return "";
    }).replace(/\n{3,}/g, "\n\n").trim();
    if (text === "") continue;
    const isTitle = section.heading === undefined || section.heading === options.pageTitle;
    if (!isTitle && /\?\s*$/.test(section.heading!)) {
      docs.push({ kind: "faq", title: section.heading!, text, ...(section.anchor ? { anchor: section.anchor } : {}) });
    } else {
      docs.push({ kind: "doc", title: isTitle ? options.pageTitle : `${options.pageTitle} — ${section.heading}`, text, ...(section.anchor && !isTitle ? { anchor: section.anchor } : {}) });
    }
  }

  for (const entry of options.faq ?? []) {
    const question = entry.question.replace(/\s+/g, " ").trim();
    const same = docs.findIndex((d) => d.kind === "faq" && sameQuestion(d.title, question));
    const anchor = same >= 0 ? docs[same]!.anchor : undefined;
    const doc: HtmlDoc = { kind: "faq", title: question, text: markdown.turndown(entry.answerHtml).trim(), ...(anchor ? { anchor } : {}) };
    if (same >= 0) docs[same] = doc;
    else docs.push(doc);
  }
  return docs;
}

function sameQuestion(a: string, b: string): boolean {
  return slugify(a) === slugify(b);
}

import TurndownService from "turndown";
import { slugify } from "../../src/sourceDoc.js";

/** Marks a heading's anchor in the Markdown, for `splitSections` (Pandoc's attribute syntax). */
export const ANCHOR_MARK = /\s*\{#([^}\s]*)\}$/;

/**
 * HTML → Markdown (turndown), with every heading carrying its anchor as `{#id}`: the element's id,
 * else an `<a id|name>` inside it, else a slug of its text (what most help-center themes generate).
 */
export function createHtmlToMarkdown(): TurndownService {
  const service = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-", emDelimiter: "*" });
  service.remove(["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "button", "input", "select", "textarea"] as never);
  service.addRule("anchoredHeading", {
    filter: ["h1", "h2", "h3", "h4", "h5", "h6"],
    replacement: (content, node) => {
      const element = node;
      const level = Number(element.nodeName.charAt(1));
      const text = content.replace(/\s+/g, " ").replace(/^#+\s*/, "").trim();
      if (text === "") return "";
      const inner = element.querySelector?.("a[id], a[name]");
      const anchor = element.getAttribute("id") || inner?.getAttribute("id") || inner?.getAttribute("name") || slugify(text);
      return `\n\n${"#".repeat(level)} ${text} {#${anchor}}\n\n`;
    },
  });
  // Links that lead nowhere a reader can follow (in-page anchors, javascript:) keep only their text.
  service.addRule("plainLocalLinks", {
    filter: (node) => node.nodeName === "A" && /^(#|javascript:|$)/i.test(node.getAttribute("href") ?? ""),
    replacement: (content) => content,
  });
  return service;
}

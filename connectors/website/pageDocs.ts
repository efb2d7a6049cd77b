import { slugify } from "../../src/sourceDoc.js";
import type { HtmlDoc } from "./htmlDocs.js";
import type { StoredPageDoc } from "./WebsiteState.js";

/**
 * Ids and citation URLs of a page's docs: `url#anchor` for a section or question with an anchor on
 * the page, else `url`. Ids are `url#anchor` for a section, `url#faq-<question>` for a question,
 * `url` for the page's top (`idBase` in place of `url` when given): unique within the page and stable while the page keeps its structure.
 */
export function pageDocs(url: string, docs: readonly HtmlDoc[], idBase = url): StoredPageDoc[] {
  const used = new Set<string>();
  return docs.map((doc) => {
    // A question is known by its wording (several accordions can sit under one heading), a section by its anchor.
    const fragment = doc.kind === "faq" ? `faq-${slugify(doc.title)}` : doc.anchor;
    let id = `${idBase}${fragment ? `#${fragment}` : ""}`;
    for (let n = 2; used.has(id); n++) id = `${idBase}#${fragment ?? "top"}-${n}`;
    used.add(id);
    return { id, kind: doc.kind, title: doc.title, text: doc.text, url: doc.anchor ? `${url}#${doc.anchor}` : url };
  });
}

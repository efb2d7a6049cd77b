import { createHash } from "node:crypto";
import type { SourceDoc } from "./types.js";

/**
 * Hash of what gets embedded and indexed (kind, title, text). Metadata such as the
 * line number or tags is left out on purpose: inserting an entry at the top of a file
 * moves every line below it, and that must not force re-embedding the whole file.
 */
export function contentHashOf(doc: Pick<SourceDoc, "kind" | "title" | "text" | "alternates">): string {
  const hash = createHash("sha256").update(`${doc.kind}\u0000${doc.title}\u0000${doc.text}`);
  // Only docs with alternates hash them: every other doc keeps the hash it had, and nothing is re-embedded on upgrade.
  if (doc.alternates && doc.alternates.length > 0) hash.update(`\u0000alternates\u0000${doc.alternates.join("\u0000")}`);
  return hash.digest("hex");
}

/** Builds a SourceDoc, filling in its content hash. */
export function makeSourceDoc(fields: Omit<SourceDoc, "contentHash">): SourceDoc {
  return { ...fields, contentHash: contentHashOf(fields) };
}

/** URL- and shell-friendly slug of a title: "How do I reset my password?" -> "how-do-i-reset-my-password". */
export function slugify(text: string, maxLength = 80): string {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const cut = slug.slice(0, maxLength).replace(/-+$/g, "");
  if (cut.length > 0) return cut;
  // Titles with no Latin letters or digits (e.g. Japanese) still need a stable id.
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/**
 * Stable id of an entry that has no explicit id: its source path plus its title,
 * e.g. "billing.md#how-do-i-get-a-refund". Paths use forward slashes on every OS.
 */
export function deriveDocId(relativePath: string, title: string): string {
  return `${relativePath.split("\\").join("/")}#${slugify(title)}`;
}

import { contentHashOf } from "../sourceDoc.js";
import type { SourceDoc } from "../types.js";

/** How alternate questions are compared: case, spacing and trailing punctuation do not make a question new. */
export function questionKey(question: string): string {
  return question
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s?!.]+$/u, "")
    .trim();
}

/**
 * The alternates worth indexing for an entry: trimmed, without the entry's own question, without
 * repeats (first spelling kept), sorted so the content hash does not depend on the order they came in.
 */
export function normalizeAlternates(title: string, alternates: Iterable<string>): string[] {
  const seen = new Set([questionKey(title)]);
  const kept: string[] = [];
  for (const raw of alternates) {
    const question = raw.replace(/\s+/g, " ").trim();
    const key = questionKey(question);
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    kept.push(question);
  }
  return kept.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The doc with these alternate questions (added to any it had), its content hash updated. Only FAQ
 * entries take alternates: an article or a chat is not one question, so others come back unchanged.
 */
export function withAlternates(doc: SourceDoc, alternates: readonly string[] | undefined): SourceDoc {
  if (doc.kind !== "faq" || !alternates || alternates.length === 0) return doc;
  const merged = normalizeAlternates(doc.title, [...(doc.alternates ?? []), ...alternates]);
  const { alternates: _old, ...rest } = doc;
  const next: SourceDoc = merged.length > 0 ? { ...rest, alternates: merged } : rest;
  return { ...next, contentHash: contentHashOf(next) };
}

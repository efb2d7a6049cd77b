import type { SourceDoc } from "../types.js";

/** A piece of a source doc that is embedded and indexed on its own. */
export interface Chunk {
  /** The doc id for a single-chunk doc, `<docId>@<n>` (n from 1) for the pieces of a long one. */
  id: string;
  docId: string;
  /** The doc title, plus the section heading for a chunk inside a section. */
  title: string;
  text: string;
}

export interface ChunkOptions {
  /** Budget per chunk in estimated tokens (see `estimateTokens`). Defaults to 256. */
  maxTokens?: number;
  /** Tokens of the previous chunk repeated at the start of the next one. Defaults to 32. */
  overlapTokens?: number;
}

/** A cheap, model-independent token estimate: words and punctuation marks each count one. */
export function estimateTokens(text: string): number {
  return text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0;
}

/**
 * One chunk per FAQ entry, whatever its length: the entry is the unit a customer
 * asks about and the unit we cite. Other documents are split on their structure
 * (Markdown headings, then paragraphs, then sentences) into chunks within the budget,
 * each starting with the tail of the one before so no sentence loses its context.
 */
export function chunkDoc(doc: SourceDoc, options: ChunkOptions = {}): Chunk[] {
  const maxTokens = options.maxTokens ?? 256;
  const overlapTokens = Math.min(options.overlapTokens ?? 32, Math.floor(maxTokens / 2));
  if (doc.kind === "faq" || estimateTokens(doc.text) <= maxTokens) {
    return [{ id: doc.id, docId: doc.id, title: doc.title, text: doc.text }];
  }
  const pieces: Chunk[] = [];
  for (const section of splitSections(doc.text)) {
    const title = section.heading ? `${doc.title} — ${section.heading}` : doc.title;
    for (const text of packBlocks(splitBlocks(section.body, maxTokens), maxTokens, overlapTokens)) {
      pieces.push({ id: "", docId: doc.id, title, text });
    }
  }
  return pieces.map((chunk, i) => ({ ...chunk, id: `${doc.id}@${i + 1}` }));
}

interface Section {
  heading?: string;
  body: string;
}

function splitSections(text: string): Section[] {
  const sections: Section[] = [];
  let current: Section = { body: "" };
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      if (current.body.trim() || current.heading) sections.push(current);
      current = { heading: heading[1] ?? "", body: "" };
    } else {
      current.body += `${line}\n`;
    }
  }
  sections.push(current);
  return sections.filter((s) => s.body.trim());
}

/** Paragraphs, with any paragraph over budget split into sentences, and any sentence over budget into words. */
function splitBlocks(body: string, maxTokens: number): string[] {
  const blocks: string[] = [];
  for (const paragraph of body.split(/\n\s*\n/)) {
    const p = paragraph.trim();
    if (!p) continue;
    if (estimateTokens(p) <= maxTokens) {
      blocks.push(p);
      continue;
    }
    for (const sentence of p.split(/(?<=[.!?])\s+/)) {
      if (estimateTokens(sentence) <= maxTokens) blocks.push(sentence);
      else blocks.push(...splitWords(sentence, maxTokens));
    }
  }
  return blocks;
}

function splitWords(text: string, maxTokens: number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const word of text.split(/\s+/)) {
    const t = estimateTokens(word);
    if (tokens + t > maxTokens && current.length > 0) {
      out.push(current.join(" "));
      current = [];
      tokens = 0;
    }
    current.push(word);
    tokens += t;
  }
  if (current.length > 0) out.push(current.join(" "));
  return out;
}

/** Greedily fills chunks with whole blocks; each new chunk starts with the tail of the last one, up to the overlap. */
function packBlocks(blocks: string[], maxTokens: number, overlapTokens: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const block of blocks) {
    const t = estimateTokens(block);
    if (tokens + t > maxTokens && current.length > 0) {
      chunks.push(current.join("\n\n"));
      const carried = tailWithin(current.join("\n\n"), Math.min(overlapTokens, maxTokens - t));
      current = carried ? [carried] : [];
      tokens = carried ? estimateTokens(carried) : 0;
    }
    current.push(block);
    tokens += t;
  }
  if (current.length > 0) chunks.push(current.join("\n\n"));
  return chunks;
}

/** The longest tail of `text` within `budget` tokens: whole sentences when they fit, else whole words. */
function tailWithin(text: string, budget: number): string {
  if (budget <= 0) return "";
  const sentences = text.split(/(?<=[.!?])\s+/);
  let tail = "";
  for (let i = sentences.length - 1; i >= 0; i--) {
    const candidate = tail ? `${sentences[i]} ${tail}` : sentences[i]!;
    if (estimateTokens(candidate) > budget) break;
    tail = candidate;
  }
  if (tail) return tail;
  const words = text.split(/\s+/);
  for (let i = words.length - 1; i >= 0; i--) {
    const candidate = tail ? `${words[i]} ${tail}` : words[i]!;
    if (estimateTokens(candidate) > budget) break;
    tail = candidate;
  }
  return tail;
}

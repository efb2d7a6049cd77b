import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { LlamadeskError } from "../../src/errors.js";

/** Extensions read from directories: JSONL transcripts and ABCD JSON. */
export const TRANSCRIPT_EXTENSIONS = [".jsonl", ".ndjson", ".json"] as const;

export interface TranscriptFile {
  /** Absolute path, for reading. */
  path: string;
  /** Forward-slash path relative to the walked directory, or the basename for a file argument; used in ids' locations and issues. */
  relativePath: string;
}

/**
 * Lists transcript files under a path (a file is returned as is), sorted, skipping dot-files and node_modules.
 *
 * @throws LlamadeskError SOURCE_NOT_FOUND when the path does not exist
 */
export async function walkTranscriptFiles(path: string): Promise<TranscriptFile[]> {
  const root = resolve(path);
  const info = await stat(root).catch((cause: NodeJS.ErrnoException) => {
    throw new LlamadeskError(
      "SOURCE_NOT_FOUND",
      `Transcript path "${path}" cannot be read (${cause.code ?? cause.message}; looked for ${root}). Fix the transcripts connector's \`paths\` option.`,
      { cause },
    );
  });
  if (!info.isDirectory()) return [{ path: root, relativePath: basename(root) }];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: TranscriptFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const relativePath = full.slice(root.length + 1).split("\\").join("/");
    if (relativePath.split("/").some((part) => part.startsWith(".") || part === "node_modules")) continue;
    if (!TRANSCRIPT_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) continue;
    files.push({ path: full, relativePath });
  }
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

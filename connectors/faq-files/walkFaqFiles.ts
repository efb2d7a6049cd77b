import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { LlamadeskError } from "../../src/errors.js";
import type { SourceIssue } from "../../src/types.js";

/** Extensions the FAQ connector has a parser for, lowercase. */
export const FAQ_EXTENSIONS = [".md", ".markdown", ".json", ".csv"] as const;

/** A file to read, and the path that names it in ids and citations. */
export interface FaqFile {
  /** Absolute path, for reading. */
  path: string;
  /** Forward-slash path relative to the walked directory, or the basename for a file argument. */
  relativePath: string;
}

export interface WalkFaqFilesOptions {
  /** A file (returned as is, whatever its extension) or a directory (walked recursively). */
  path: string;
  /** Called for a directory that cannot be listed; the walk goes on without it. */
  onIssue?: (issue: SourceIssue) => void;
}

/**
 * Lists the FAQ files under a path, sorted by relative path so that every pull sees them
 * in the same order on every OS. In directories it picks .md, .markdown, .json and .csv
 * files (any case) and skips dot-files, dot-directories and node_modules. Symbolic links
 * to files are followed; links to directories are not, so a link loop cannot hang the walk.
 *
 * @throws LlamadeskError SOURCE_NOT_FOUND when the path does not exist
 */
export async function walkFaqFiles(options: WalkFaqFilesOptions): Promise<FaqFile[]> {
  const root = resolve(options.path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new LlamadeskError(
        "SOURCE_NOT_FOUND",
        `FAQ path "${options.path}" does not exist (looked for ${root}). Fix the path in the faq-files connector's \`paths\` option; relative paths are resolved from the current directory, ${process.cwd()}.`,
        { cause: error },
      );
    }
    options.onIssue?.({ file: options.path, message: `cannot read FAQ path: ${(error as Error).message}` });
    return [];
  }
  if (!isDirectory) return [{ path: root, relativePath: basename(root) }];

  const files: FaqFile[] = [];
  await walkDirectory(root, "", files, options.onIssue);
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

async function walkDirectory(
  directory: string,
  prefix: string,
  files: FaqFile[],
  onIssue: WalkFaqFilesOptions["onIssue"],
): Promise<void> {
  let dirents;
  try {
    dirents = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    onIssue?.({ file: prefix === "" ? "." : prefix, message: `cannot list directory, skipped: ${(error as Error).message}` });
    return;
  }
  for (const dirent of dirents) {
    if (dirent.name.startsWith(".") || dirent.name === "node_modules") continue;
    const path = join(directory, dirent.name);
    const relativePath = prefix === "" ? dirent.name : `${prefix}/${dirent.name}`;
    if (dirent.isDirectory()) {
      await walkDirectory(path, relativePath, files, onIssue);
    } else if ((dirent.isFile() || dirent.isSymbolicLink()) && hasFaqExtension(dirent.name)) {
      // A link to a directory named like "x.md" is dropped; a broken link is kept so that reading it reports the problem.
      if (dirent.isSymbolicLink() && (await stat(path).then((target) => target.isDirectory(), () => false))) continue;
      files.push({ path, relativePath });
    }
  }
}

function hasFaqExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return FAQ_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { LlamadeskError } from "../errors.js";

/**
 * Fails with SOURCE_NOT_FOUND, in the words of the command line, when a path given to a command
 * does not exist; before anything is loaded. Other problems (a folder that cannot be read) are
 * left to the connector, which names the file and goes on.
 */
export async function checkSourcePaths(paths: readonly string[], cwd = process.cwd()): Promise<void> {
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    await stat(absolute).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT" && error.code !== "ENOTDIR") return;
      const looked = absolute === path ? "" : ` (looked for ${absolute}: relative paths start from the current folder)`;
      throw new LlamadeskError("SOURCE_NOT_FOUND", `No such file or folder: ${path}${looked}. Check the path and run the command again.`, { cause: error });
    });
  }
}

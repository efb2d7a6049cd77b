import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * An index directory holds numbered generations and a CURRENT file naming the live
 * one. A save writes a new generation under a temporary name, renames it into
 * place, then swaps CURRENT with an atomic rename: a crash at any point leaves
 * CURRENT naming a complete generation, so the previous index stays loadable.
 *
 *   knowledge/index/CURRENT        "gen-000004"
 *   knowledge/index/gen-000004/    manifest.json, docstore.json, vector files
 */
const CURRENT = "CURRENT";
const GENERATION = /^gen-(\d{6,})$/;

/** The live generation's directory, or undefined when nothing was ever saved here. */
export async function currentGeneration(dir: string): Promise<string | undefined> {
  let name: string;
  try {
    name = (await readFile(join(dir, CURRENT), "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return GENERATION.test(name) ? join(dir, name) : undefined;
}

/**
 * Writes a new generation with `write(tempDir)` and makes it current. Older
 * generations and leftovers of interrupted saves are removed afterwards.
 */
export async function writeGeneration(dir: string, write: (generationDir: string) => Promise<void>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  const numbers = entries.map((e) => GENERATION.exec(e)?.[1]).filter((n): n is string => n !== undefined);
  const next = Math.max(0, ...numbers.map(Number)) + 1;
  const name = `gen-${String(next).padStart(6, "0")}`;
  const temp = join(dir, `.tmp-${name}-${randomBytes(4).toString("hex")}`);
  await mkdir(temp);
  try {
    await write(temp);
    await fsyncDirectoryFiles(temp);
    await rename(temp, join(dir, name));
    const currentTemp = join(dir, `.${CURRENT}-${randomBytes(4).toString("hex")}`);
    await writeFileSynced(currentTemp, `${name}\n`);
    await rename(currentTemp, join(dir, CURRENT));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await removeStale(dir, name);
  return join(dir, name);
}

async function removeStale(dir: string, keep: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (entry === keep || entry === CURRENT) continue;
    if (GENERATION.test(entry) || entry.startsWith(".tmp-gen-") || entry.startsWith(`.${CURRENT}-`)) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}

async function writeFileSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDirectoryFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if (!(await stat(path)).isFile()) continue;
    const handle = await open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

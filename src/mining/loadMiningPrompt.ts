import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LlamadeskError } from "../errors.js";
import { DEFAULT_PROMPTS_DIR } from "../prompts/loadPrompts.js";
import { PromptTemplate } from "../prompts/PromptTemplate.js";

/** The mining prompt's file name in a prompts folder, and the variables it must use. */
export const MINING_PROMPT_FILE = "mine.txt";
export const MINING_PROMPT_VARIABLES = ["conversation"] as const;

/**
 * Reads and checks `mine.txt`: the prompt with which a chat model turns a resolved thread into a
 * `Q: ...` / `A: ...` pair. A custom prompts folder may leave it out (it predates mining): then the
 * shipped one is used. A file that is there but broken stops mining with the file and variable named.
 */
export async function loadMiningPrompt(dir: string = DEFAULT_PROMPTS_DIR): Promise<PromptTemplate> {
  let path = join(dir, MINING_PROMPT_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT" || dir === DEFAULT_PROMPTS_DIR) {
      throw new LlamadeskError("PROMPT_INVALID", `Cannot read the prompt file ${path}: ${(cause as Error).message}.`, { cause });
    }
    path = join(DEFAULT_PROMPTS_DIR, MINING_PROMPT_FILE);
    text = await readFile(path, "utf8");
  }
  return new PromptTemplate("mine", text.trimEnd(), path).expect(MINING_PROMPT_VARIABLES);
}

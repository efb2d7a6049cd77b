import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { packageRoot } from "../config.js";
import { LlamadeskError } from "../errors.js";
import { PromptTemplate } from "./PromptTemplate.js";

/** Every prompt the bot uses, with the variables each must use exactly. */
export const PROMPT_VARIABLES = {
  system: ["product"],
  answer: ["sources", "question"],
  condense: ["history", "question"],
  "no-answer": ["product"],
  unsure: ["product"],
  handoff: ["product"],
} as const;

/** Prompts added after custom prompt folders existed: a folder without one uses the shipped file. */
const FALLBACK_TO_SHIPPED: ReadonlySet<string> = new Set(["unsure"]);

export type PromptName = keyof typeof PROMPT_VARIABLES;
export type Prompts = Record<PromptName, PromptTemplate>;

/** The prompts shipped with llamadesk. */
export const DEFAULT_PROMPTS_DIR = resolve(packageRoot, "prompts");

/**
 * Reads `<name>.txt` for every prompt from `dir` and checks its variables, so a broken
 * prompt stops the bot at start-up with the file and variable named, not mid-conversation.
 */
export async function loadPrompts(dir: string = DEFAULT_PROMPTS_DIR): Promise<Prompts> {
  const entries = await Promise.all(
    (Object.keys(PROMPT_VARIABLES) as PromptName[]).map(async (name) => {
      let path = join(dir, `${name}.txt`);
      let text: string;
      try {
        text = await readFile(path, "utf8").catch(async (error: unknown) => {
          if (!FALLBACK_TO_SHIPPED.has(name) || (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          path = join(DEFAULT_PROMPTS_DIR, `${name}.txt`);
          return readFile(path, "utf8");
        });
      } catch (cause) {
        throw new LlamadeskError("PROMPT_INVALID", `Cannot read the prompt file ${path}: ${(cause as Error).message}. Every prompt in ${Object.keys(PROMPT_VARIABLES).join(", ")} needs a .txt file.`, { cause });
      }
      const template = new PromptTemplate(name, text.trimEnd(), path).expect(PROMPT_VARIABLES[name]);
      return [name, template] as const;
    }),
  );
  return Object.fromEntries(entries) as Prompts;
}

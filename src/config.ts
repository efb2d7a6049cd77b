import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The one place llamadesk reads its environment. An explicit option always wins over these. */
export interface EnvConfig {
  /** LLAMADESK_INDEX: index directory. */
  indexDir?: string;
  /** LLAMADESK_EMBEDDER: "use-lite" or "gguf". */
  embedder?: string;
  /** LLAMADESK_EMBEDDER_MODEL: path of a GGUF embedding model (with embedder "gguf"). */
  embedderModel?: string;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const pick = (name: string): string | undefined => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const config: EnvConfig = {};
  const indexDir = pick("LLAMADESK_INDEX");
  const embedder = pick("LLAMADESK_EMBEDDER");
  const embedderModel = pick("LLAMADESK_EMBEDDER_MODEL");
  if (indexDir) config.indexDir = indexDir;
  if (embedder) config.embedder = embedder;
  if (embedderModel) config.embedderModel = embedderModel;
  return config;
}

/** Where the llamadesk package is installed (holds prompts/ and the sample knowledge). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

// Works from src/ (tests) and from dist/src/ (the built bin) alike.
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "llamadesk") return dir;
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`llamadesk: cannot find the package root above ${start}`);
  }
}

/** The index directory used when neither --index nor LLAMADESK_INDEX says otherwise. */
export const DEFAULT_INDEX_DIR = "knowledge/index";

/** The sample FAQ shipped with the package: the demo's knowledge. */
export const SAMPLE_SOURCES_DIR = resolve(packageRoot, "knowledge/sources");
export const SAMPLE_QUERIES_FILE = resolve(packageRoot, "knowledge/eval/sample-queries.jsonl");
/** Questions the demo answers, one per line (not in the labelled set, which stays for measuring). */
export const DEMO_QUESTIONS_FILE = resolve(packageRoot, "knowledge/demo-questions.txt");

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, open, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { LlamadeskError } from "../errors.js";

const VOCAB_IN_BUNDLE = "models/ggml-vocab-llama-spm.gguf";

/**
 * Extracts the Llama 2 (SentencePiece) vocab-only GGUF from the llama.cpp source bundle that
 * node-llama-cpp ships, once per machine, into `node_modules/.cache/llamadesk/`. Needs the `git` CLI.
 * Returns the cached file's path.
 */
export async function ensureVocabGguf(): Promise<string> {
  const packageDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp")), "..");
  const bundle = path.join(packageDir, "llama", "gitRelease.bundle");
  if (!existsSync(bundle)) {
    throw new LlamadeskError(
      "MODEL_NOT_FOUND",
      `The llama.cpp source bundle ${bundle} is missing, so the Llama 2 tokenizer cannot be extracted. ` +
        "Reinstall node-llama-cpp (npm ci), or pass vocabGgufPath pointing to a copy of llama.cpp's models/ggml-vocab-llama-spm.gguf.",
    );
  }
  const { commit, ref } = await readBundleHead(bundle);
  const cacheDir = path.join(packageDir, "..", ".cache", "llamadesk");
  const cached = path.join(cacheDir, `ggml-vocab-llama-spm-${commit.slice(0, 12)}.gguf`);
  if (existsSync(cached)) return cached;

  await mkdir(cacheDir, { recursive: true });
  const repo = await mkdtemp(path.join(os.tmpdir(), "llamadesk-vocab-"));
  try {
    // --git-dir beats any GIT_DIR in the environment (e.g. when run from a git hook).
    const git = (...args: string[]) =>
      promisify(execFile)("git", [`--git-dir=${repo}`, ...args], { encoding: "buffer", maxBuffer: 64 << 20 });
    await git("init", "--quiet", "--bare");
    await git("fetch", "--quiet", bundle, ref);
    const { stdout } = await git("cat-file", "blob", `FETCH_HEAD:${VOCAB_IN_BUNDLE}`);
    // Write then rename, so concurrent test workers never read a half-written file.
    const partial = `${cached}.${process.pid}.partial`;
    await writeFile(partial, stdout);
    await rename(partial, cached);
  } catch (error) {
    if (error instanceof LlamadeskError) throw error;
    throw new LlamadeskError(
      "MODEL_NOT_FOUND",
      `Could not extract ${VOCAB_IN_BUNDLE} from ${bundle} (is the git CLI installed and on PATH?): ${String(error)}`,
      { cause: error },
    );
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
  return cached;
}

/** Reads the ref a git bundle offers (HEAD if present) from its text header, without running git. */
async function readBundleHead(bundle: string): Promise<{ commit: string; ref: string }> {
  const handle = await open(bundle, "r");
  const refs: Array<{ commit: string; ref: string }> = [];
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    for (const line of buffer.subarray(0, bytesRead).toString("latin1").split("\n").slice(1)) {
      if (line === "") break;
      const match = /^([0-9a-f]{40,64}) (\S+)$/.exec(line);
      if (match?.[1] && match[2]) refs.push({ commit: match[1], ref: match[2] });
    }
  } finally {
    await handle.close();
  }
  const head = refs.find((r) => r.ref === "HEAD") ?? refs[0];
  if (!head) throw new LlamadeskError("MODEL_NOT_FOUND", `${bundle} is not a git bundle with a ref; reinstall node-llama-cpp (npm ci).`);
  return head;
}

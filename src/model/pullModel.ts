import { rm, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { DEFAULT_HUGGING_FACE_ENDPOINT, DEFAULT_MODEL_URI, DEFAULT_MODELS_DIR, readEnv } from "../config.js";
import { LlamadeskError } from "../errors.js";
import { downloadInWorker } from "./downloadInWorker.js";
import { probeReachable } from "./probeReachable.js";

export interface PullModelOptions {
  /**
   * What to download: `hf:<user>/<repo>/<file>.gguf`, `hf:<user>/<repo>:<quant>` or an `http(s)://` URL
   * of a `.gguf` file. Defaults to `DEFAULT_MODEL_URI`, Llama 2 7B Chat quantised to Q4_K_M.
   */
  uri?: string;
  /** Directory to save into; created when missing. Defaults to `DEFAULT_MODELS_DIR` (`models`), relative to the working directory. */
  dir?: string;
  /** Name of the saved file. Defaults to the name node-llama-cpp derives from the URI, e.g. `hf_TheBloke_llama-2-7b-chat.Q4_K_M.gguf`. */
  fileName?: string;
  /** Extra HTTP headers for the download, e.g. `Authorization` for a private server. Defaults to none. */
  headers?: Record<string, string>;
  /** Base URL that `hf:` URIs resolve against (a mirror). Defaults to `MODEL_ENDPOINT` or `HF_ENDPOINT`, else `https://huggingface.co/`. */
  huggingFaceEndpoint?: string;
  /**
   * How long the server may take to answer at all. A machine without internet access fails after at most
   * this long instead of retrying for many minutes. Defaults to `5000` ms.
   */
  connectTimeoutMs?: number;
  /** Give up when no data has arrived for this long; what arrived is kept and the next pull resumes. Defaults to `60000` ms. */
  stallTimeoutMs?: number;
  /** Called as data arrives (a few times a second at most). */
  onProgress?: (progress: { downloadedBytes: number; totalBytes: number }) => void;
  /** Stops the download; what arrived is kept and the next pull resumes. */
  signal?: AbortSignal;
}

export interface PullModelResult {
  /** The model file (for a model split into parts, the first part, which is what loaders take). */
  path: string;
  /** Size of the model on disk, all parts together. */
  bytes: number;
  /** The complete file was already there; nothing was downloaded. */
  alreadyPresent: boolean;
}

// How node-llama-cpp spells Hugging Face URIs; they resolve against the Hugging Face endpoint.
const HF_PREFIXES = ["hf://", "huggingface://", "hf:", "huggingface:", "hf.co/", "huggingface.co/"];

/**
 * Downloads a GGUF model with node-llama-cpp's downloader: resumable (an interrupted pull continues
 * where it stopped), skipped when the complete file is already there, checked to be a readable GGUF
 * afterwards. Fails within `connectTimeoutMs` when the server cannot be reached.
 */
export async function pullModel(options: PullModelOptions = {}): Promise<PullModelResult> {
  const uri = options.uri?.trim() || DEFAULT_MODEL_URI;
  const huggingFaceEndpoint = options.huggingFaceEndpoint ?? readEnv().huggingFaceEndpoint ?? DEFAULT_HUGGING_FACE_ENDPOINT;
  const connectTimeoutMs = checkTimeout("connectTimeoutMs", options.connectTimeoutMs ?? 5000);
  const stallTimeoutMs = checkTimeout("stallTimeoutMs", options.stallTimeoutMs ?? 60_000);
  const remoteUrl = remoteUrlOf(uri, huggingFaceEndpoint);

  await probeReachable({ url: remoteUrl, timeoutMs: connectTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const downloaded = await downloadInWorker({
    modelUri: uri,
    dirPath: resolve(options.dir ?? DEFAULT_MODELS_DIR),
    huggingFaceEndpoint,
    stallTimeoutMs,
    ...(options.fileName ? { fileName: options.fileName } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });

  const problem = await ggufProblem(downloaded.entrypointPath);
  if (problem) {
    // A file that only looks complete would fail later, far from its cause; one we did not download
    // this time may be the user's, so it is left alone.
    if (!downloaded.alreadyPresent) await Promise.all(downloaded.filePaths.map((path) => rm(path, { force: true })));
    throw new LlamadeskError(
      "MODEL_NOT_GGUF",
      `${uri} is not a GGUF model (${problem}); ` +
        (downloaded.alreadyPresent ? `the existing ${downloaded.entrypointPath} was left in place: move it away and pull again.` : "the download was deleted.") +
        " Point the URI at a .gguf file, e.g. hf:TheBloke/Llama-2-7B-Chat-GGUF/llama-2-7b-chat.Q4_K_M.gguf.",
    );
  }
  const sizes = await Promise.all(downloaded.filePaths.map(async (path) => (await stat(path)).size));
  return { path: downloaded.entrypointPath, bytes: sizes.reduce((a, b) => a + b, 0), alreadyPresent: downloaded.alreadyPresent };
}

/** The URL whose host the download contacts first, for the reachability check. */
function remoteUrlOf(uri: string, huggingFaceEndpoint: string): string {
  if (!isHttpUrl(huggingFaceEndpoint)) {
    // node-llama-cpp would silently fall back to its default host; say so instead.
    throw new LlamadeskError(
      "INVALID_OPTION",
      `The Hugging Face endpoint must be an http(s):// URL (got "${huggingFaceEndpoint}"); check huggingFaceEndpoint, MODEL_ENDPOINT or HF_ENDPOINT.`,
    );
  }
  if (HF_PREFIXES.some((prefix) => uri.toLowerCase().startsWith(prefix))) return huggingFaceEndpoint;
  if (isHttpUrl(uri)) return uri;
  throw new LlamadeskError(
    "INVALID_OPTION",
    `"${uri}" is not a model URI: use hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an http(s):// URL of a .gguf file. ` +
      "To use a GGUF file you already have, skip pull and pass --model PATH.",
  );
}

function isHttpUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function checkTimeout(field: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new LlamadeskError("INVALID_OPTION", `pullModel: ${field} must be a positive number of milliseconds, got ${ms}.`);
  return ms;
}

/** Why the file is not a usable GGUF, or undefined when it is. */
async function ggufProblem(path: string): Promise<string | undefined> {
  // Imported here: only pulling needs node-llama-cpp in this process.
  const { readGgufFileInfo } = await import("node-llama-cpp");
  try {
    const info = await readGgufFileInfo(path, { logWarnings: false, spliceSplitFiles: false });
    const size = (await stat(path)).size;
    const lastTensorStart = Math.max(0, ...(info.tensorInfo ?? []).map((tensor) => Number(tensor.fileOffset)));
    if (lastTensorStart >= size) return `the file ends at byte ${size}, before its last tensor at ${lastTensorStart}: it is truncated`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { LlamadeskError } from "../errors.js";

export interface DownloadInWorkerOptions {
  /** A URI node-llama-cpp's `createModelDownloader` accepts. */
  modelUri: string;
  dirPath: string;
  fileName?: string;
  headers?: Record<string, string>;
  /** Passed to node-llama-cpp as `endpoints.huggingFace`. */
  huggingFaceEndpoint: string;
  /** Give up when the byte count has not grown for this long. */
  stallTimeoutMs: number;
  onProgress?: (progress: { downloadedBytes: number; totalBytes: number }) => void;
  signal?: AbortSignal;
}

export interface DownloadedModel {
  /** The file to load: the model, or the first part of a split model. */
  entrypointPath: string;
  /** Every file the model consists of. */
  filePaths: string[];
  /** Every file was already there, complete; nothing was transferred. */
  alreadyPresent: boolean;
}

type WorkerMessage =
  | { type: "started" }
  | { type: "progress"; downloaded: number; total: number }
  | { type: "done"; entrypointPath: string; filePaths: string[]; alreadyPresent: boolean }
  | { type: "error"; message: string; statusCode?: number };

// Plain JS run with `eval` so it works the same from src/ (tests) and dist/ (the bin). It keeps
// node-llama-cpp's defaults that make resuming work: skipExisting, and a partial file kept beside
// the target (never deleted here), from which the next run asks only for the missing ranges.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const sizeOf = (path) => { try { return statSync(path).size; } catch { return -1; } };
let alreadyPresent = false;
let lastPost = 0;
import(workerData.nodeLlamaCppUrl).then(async ({ createModelDownloader }) => {
  parentPort.postMessage({ type: "started" });
  const downloader = await createModelDownloader({
    ...workerData.options,
    skipExisting: true,
    deleteTempFileOnCancel: false,
    onProgress({ downloadedSize, totalSize }) {
      const now = Date.now();
      if (alreadyPresent || (now - lastPost < 100 && downloadedSize < totalSize)) return;
      lastPost = now;
      parentPort.postMessage({ type: "progress", downloaded: downloadedSize, total: totalSize });
    },
  });
  const files = downloader.filesInfo;
  alreadyPresent = files.length > 0 && files.every((f) => f.totalSize > 0 && f.downloadedSize === f.totalSize && sizeOf(f.filePath) === f.totalSize);
  if (!alreadyPresent) parentPort.postMessage({ type: "progress", downloaded: downloader.downloadedSize, total: downloader.totalSize });
  await downloader.download();
  parentPort.postMessage({ type: "done", entrypointPath: downloader.entrypointFilePath, filePaths: files.map((f) => f.filePath), alreadyPresent });
}).catch((error) => {
  parentPort.postMessage({ type: "error", message: String(error && error.message || error), statusCode: error && error.statusCode });
});
`;

/**
 * Runs node-llama-cpp's model downloader in a worker thread and watches it. Its HTTP client retries
 * a dropped connection ~150 times over about a quarter of an hour and cannot be stopped from outside:
 * even after `cancel()` its retry timers keep the process alive. A worker can be terminated, which
 * ends all of that at once and leaves the partial file for the next run to resume from.
 */
export function downloadInWorker(options: DownloadInWorkerOptions): Promise<DownloadedModel> {
  const { stallTimeoutMs, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const nodeLlamaCppUrl = pathToFileURL(createRequire(import.meta.url).resolve("node-llama-cpp")).href;
  const downloaderOptions = {
    modelUri: options.modelUri,
    dirPath: options.dirPath,
    endpoints: { huggingFace: options.huggingFaceEndpoint },
    ...(options.fileName ? { fileName: options.fileName } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nodeLlamaCppUrl, options: downloaderOptions } });

  return new Promise<DownloadedModel>((resolve, reject) => {
    let downloaded = -1;
    let total = 0;
    // Unset until the worker has loaded node-llama-cpp (seconds on a busy machine): loading is not a stall.
    let lastGrowth: number | undefined;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      signal?.removeEventListener("abort", onAbort);
      // Terminate before reporting, so the caller never races a worker still touching the files.
      void worker.terminate().finally(outcome);
    };
    const fail = (error: unknown) => settle(() => reject(error));
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener("abort", onAbort);

    const watchdog = setInterval(
      () => {
        if (lastGrowth === undefined || Date.now() - lastGrowth < stallTimeoutMs) return;
        const where = downloaded > 0 ? `stopped at ${formatMb(downloaded)} of ${formatMb(total)}` : "no data arrived";
        fail(
          new LlamadeskError(
            "MODEL_DOWNLOAD_FAILED",
            `Downloading ${options.modelUri}: ${where} for ${Number((stallTimeoutMs / 1000).toFixed(1))} s. ` +
              "What arrived is kept: run the same command again to resume.",
          ),
        );
      },
      Math.min(1000, Math.max(50, stallTimeoutMs / 4)),
    );

    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "started") lastGrowth = Date.now();
      else if (message.type === "progress") {
        if (message.downloaded > downloaded) lastGrowth = Date.now();
        downloaded = Math.max(downloaded, message.downloaded);
        total = message.total;
        options.onProgress?.({ downloadedBytes: message.downloaded, totalBytes: message.total });
      } else if (message.type === "done") {
        settle(() => resolve({ entrypointPath: message.entrypointPath, filePaths: message.filePaths, alreadyPresent: message.alreadyPresent }));
      } else {
        fail(downloadError(options.modelUri, message.message, message.statusCode));
      }
    });
    worker.on("error", (error) => fail(downloadError(options.modelUri, error.message)));
    worker.on("exit", (code) => fail(downloadError(options.modelUri, `the download worker exited with code ${code}`)));
  });
}

function downloadError(uri: string, message: string, statusCode?: number): LlamadeskError {
  if (statusCode === 401 || statusCode === 403) {
    return new LlamadeskError(
      "MODEL_DOWNLOAD_FAILED",
      `The server refused access to ${uri} (HTTP ${statusCode}). If it is a gated Hugging Face model, accept its licence ` +
        "on the model page and set HF_TOKEN to an access token; for another server, pass the header it needs.",
    );
  }
  if (statusCode === 404 || /does not exist/.test(message)) {
    return new LlamadeskError(
      "MODEL_DOWNLOAD_FAILED",
      `${uri} was not found${statusCode ? ` (HTTP ${statusCode})` : ""}: check the repository and file name ` +
        "(hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an https:// link to a .gguf file).",
    );
  }
  return new LlamadeskError(
    "MODEL_DOWNLOAD_FAILED",
    `Downloading ${uri} failed: ${message}. Anything that arrived is kept: run the same command again to resume.`,
  );
}

function formatMb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

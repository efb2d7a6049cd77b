import { DEFAULT_MODELS_DIR, readEnv } from "../config.js";
import { LlamadeskError } from "../errors.js";
import { pullModel } from "../model/pullModel.js";
import { createProgressBar } from "./progressBar.js";

export interface PullCliOptions {
  /** Directory to save into. */
  dir?: string;
  /** Seconds the server may take to answer. */
  timeout?: number;
  /** Seconds without data before giving up (the partial file is kept). */
  stallTimeout?: number;
  json?: boolean;
}

/**
 * `llamadesk pull [uri]`: downloads a GGUF chat model (Llama 2 7B Chat Q4_K_M by default) with a
 * progress bar on stderr, resuming an interrupted pull, then says how to use it.
 */
export async function pullCommand(uri: string | undefined, options: PullCliOptions): Promise<number> {
  const bar = createProgressBar("Downloading", "MB");
  const started = performance.now();
  const result = await pullModel({
    ...(uri ? { uri } : {}),
    dir: options.dir ?? readEnv().modelsDir ?? DEFAULT_MODELS_DIR,
    ...(options.timeout !== undefined ? { connectTimeoutMs: options.timeout * 1000 } : {}),
    ...(options.stallTimeout !== undefined ? { stallTimeoutMs: options.stallTimeout * 1000 } : {}),
    onProgress: ({ downloadedBytes, totalBytes }) => bar.update(toMb(downloadedBytes), toMb(totalBytes)),
  }).finally(() => bar.stop());

  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const seconds = (performance.now() - started) / 1000;
  const path = shellQuote(result.path);
  process.stdout.write(
    (result.alreadyPresent
      ? `Already downloaded: ${result.path} (${toMb(result.bytes)} MB).\n`
      : `Saved ${result.path} (${toMb(result.bytes)} MB) in ${seconds.toFixed(1)} s.\n`) +
      `Use it:\n  llamadesk ask --model ${path} "How do I reset my password?"\nor for every command:\n  export LLAMADESK_MODEL=${path}\n`,
  );
  return 0;
}

/** A commander parser for an option taking a positive number of seconds. */
export function secondsParser(flag: string): (value: string) => number {
  return (value) => {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new LlamadeskError("INVALID_OPTION", `${flag} must be a positive number of seconds (got "${value}").`);
    }
    return seconds;
  };
}

function toMb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

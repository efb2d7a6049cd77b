import { dirname, join, resolve } from "node:path";
import { indexDirOf, type LoadedConfig } from "../configFile.js";
import { parseMiningConfig } from "./MiningConfig.js";

/** The review queue's file when nothing names one: `review.sqlite` beside the index directory (like `conversations.sqlite`). */
export function defaultReviewQueuePath(indexDir: string): string {
  return join(dirname(resolve(indexDir)), "review.sqlite");
}

/**
 * Where the review queue is: an explicit path, else the config file's `mining.queue` (relative to the
 * file), else `review.sqlite` beside the index (`index`, else the config's, else LLAMADESK_INDEX, else the default).
 */
export function resolveReviewQueuePath(options: { queue?: string | undefined; index?: string | undefined }, loaded: LoadedConfig): string {
  if (options.queue) return resolve(options.queue);
  const mining = parseMiningConfig(loaded.config.mining, `${loaded.path ?? "config"}: mining`);
  if (mining.queue) return resolve(loaded.path ? dirname(loaded.path) : process.cwd(), mining.queue);
  return defaultReviewQueuePath(indexDirOf(options.index, loaded.config));
}

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DATASETS_DIR } from "../../bench/datasets/stackfaq.js";

/** The dataset files the suites in this folder read. */
export const NEEDED_DATASET_FILES = ["stackfaq/stackExchange-FAQ.json", "abcd/abcd_sample.json", "banking77/train.csv", "banking77/test.csv", "dstc9/knowledge.json"];

/** What is wrong with `dir` as the datasets folder, in one line; undefined when the suite can run. */
export function datasetsProblem(dir: string, exists: (path: string) => boolean = existsSync): string | undefined {
  const fix = "Put the datasets folder at ../shared/datasets beside the checkout, or set LLAMADESK_DATASETS to its path.";
  if (!exists(dir)) return `npm run test:datasets needs the public datasets, and ${dir} does not exist. ${fix}`;
  const missing = NEEDED_DATASET_FILES.filter((file) => !exists(resolve(dir, file)));
  if (missing.length > 0) return `npm run test:datasets needs the public datasets, and ${dir} has no ${missing.join(", ")}. ${fix}`;
  return undefined;
}

/**
 * Global setup of `npm run test:datasets`: the suite measures quality on the public datasets, so without
 * them the run fails at once (never skips) with one line saying where they were looked for. It exits
 * rather than throws, so that line is all that is printed.
 */
export default function requireDatasets(): void {
  const problem = datasetsProblem(DATASETS_DIR);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

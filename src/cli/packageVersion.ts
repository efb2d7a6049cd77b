import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../config.js";

/** The installed llamadesk's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

import { dirname, join, resolve } from "node:path";
import { parseWebConfig } from "../channels/web/webConfig.js";
import type { LoadedConfig } from "../configFile.js";

/** The handoff ticket store's file: the config file's `web.tickets` (relative to the file), else `handoff-tickets.sqlite` beside the conversation store. */
export function handoffTicketsPathOf(loaded: LoadedConfig, storePath: string): string {
  const web = parseWebConfig(loaded.config.web, loaded.path ?? "llamadesk.config.json");
  return web.tickets ? resolve(loaded.path ? dirname(loaded.path) : process.cwd(), web.tickets) : join(dirname(resolve(storePath)), "handoff-tickets.sqlite");
}

import { readEnv } from "../config.js";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import type { ConversationStore } from "../store/ConversationStore.js";
import { databaseOf, indexDirOf, loadConfigFile, storePathOf } from "../configFile.js";
import { openDatabase, openHandoffTicketStore } from "../openStateStores.js";
import { WebChannel } from "../channels/web/WebChannel.js";
import { DEFAULT_WEB_PORT, parseWebConfig, readWebSecrets } from "../channels/web/webConfig.js";
import { PostgresWebState } from "../postgres/PostgresWebState.js";
import { createLocalBot } from "../presets/createLocalBot.js";
import { localBotOptions, type BotCliOptions } from "./askCommand.js";
import { parsePort } from "./cliOptions.js";
import { handoffTicketsPathOf } from "./handoffTicketsPathOf.js";
import { stopSignal } from "./stopSignal.js";

export interface ServeCliOptions extends BotCliOptions {
  port?: number;
  host?: string;
}

/**
 * `llamadesk serve`: the HTTP API, `/widget.js` and the demo page, until SIGINT or SIGTERM. Port: `--port`,
 * else the config file's `web.port`, else `PORT`, else 8787.
 */
export async function serveCommand(options: ServeCliOptions, signals: NodeJS.Process = process): Promise<number> {
  const { config, path } = await loadConfigFile(options.config);
  const web = parseWebConfig(config.web, path ?? "llamadesk.config.json");
  const secrets = readWebSecrets(web);
  const env = readEnv();
  const port = options.port ?? web.port ?? (env.port === undefined ? undefined : parsePort(env.port, "PORT")) ?? DEFAULT_WEB_PORT;
  const storePath = storePathOf(config, indexDirOf(options.index, config));
  const ticketsPath = handoffTicketsPathOf({ config, ...(path ? { path } : {}) }, storePath);

  // One database (when configured) for the knowledge, the conversations, the tickets and the web state.
  const database = databaseOf(options, config);
  const postgres = await openDatabase(database.url);
  // The admin console reads the bot's own conversation store, embedder and knowledge.
  let parts: { store: ConversationStore; embedder: Embedder; knowledge: KnowledgeStore } | undefined;
  const bot = await createLocalBot({ ...localBotOptions(options), database: postgres, onParts: (p) => (parts = p) }).catch(async (error: unknown) => {
    await postgres?.close();
    throw error;
  });
  let channel: WebChannel | undefined;
  try {
    const tickets = await openHandoffTicketStore({ path: ticketsPath, postgres, knowledge: database.knowledge });
    // Replicas on one database share rate limits and issued conversation ids; without one, this process keeps them.
    const state = postgres && new PostgresWebState({ postgres, ...(database.knowledge ? { knowledge: database.knowledge } : {}) });
    const { adminToken, ...webSecrets } = secrets;
    const admin = adminToken && parts ? { token: adminToken, store: parts.store, tickets, embedder: parts.embedder, knowledge: parts.knowledge } : undefined;
    channel = new WebChannel({
      config: web,
      tickets,
      port,
      ...(state ? { state } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...webSecrets,
      ...(admin ? { admin } : {}),
    });
    await channel.start(bot).catch(async (error: unknown) => {
      await tickets.dispose();
      throw error;
    });
    const url = channel.url;
    // Where visitors reach it: the script tag to paste names that address, not the one behind the proxy.
    const publicUrl = web.publicUrl?.replace(/\/+$/, "") ?? url;
    process.stdout.write(`llamadesk is serving on ${url}\n  demo page: ${url}/\n  widget:    <script src="${publicUrl}/widget.js" data-llamadesk-url="${publicUrl}" async></script>\n`);
    process.stdout.write(admin ? `  admin:     ${publicUrl}/admin (sign in with the admin token)\n` : "  admin:     off (set LLAMADESK_ADMIN_TOKEN to turn on /admin)\n");
    if (web.origins.length === 0) process.stdout.write("  origins:   only pages of this server (add your site to web.origins in the config file)\n");
    process.stdout.write("Ctrl-C stops.\n");
    await stopSignal(signals);
    process.stdout.write("stopping…\n");
    return 0;
  } finally {
    await channel?.stop();
    await bot.dispose();
    await postgres?.close();
  }
}

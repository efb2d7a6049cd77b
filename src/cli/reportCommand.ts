import { existsSync } from "node:fs";
import { LlamadeskError, isLlamadeskError } from "../errors.js";
import { loadConfigFile, storePathOf } from "../configFile.js";
import { buildInsightsReport } from "../insights/buildInsightsReport.js";
import { parseSince } from "../insights/parseSince.js";
import { createEmbedder } from "../knowledge/createEmbedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import { openConversationStore, openDatabase, openHandoffTicketStore } from "../openStateStores.js";
import { resolveIndex } from "./cliOptions.js";
import { formatReport } from "./formatReport.js";
import { handoffTicketsPathOf } from "./handoffTicketsPathOf.js";

export interface ReportCliOptions {
  /** `7d`, `30d`, `24h`, a date or an ISO time. Defaults to `7d`. */
  since?: string;
  channel?: string;
  json?: boolean;
  store?: string;
  index?: string;
  config?: string;
  embedder?: string;
  embedderModel?: string;
  database?: string;
  knowledge?: string;
}

/**
 * `llamadesk report`: what the bot answered, where it failed and which entries served, from the conversation
 * store, the handoff tickets and the knowledge; as a table or one JSON object (README, "Insights").
 */
export async function reportCommand(options: ReportCliOptions): Promise<number> {
  const now = new Date();
  const since = parseSince(options.since ?? "7d", now);
  if (options.channel !== undefined && options.channel.trim() === "") throw new LlamadeskError("INVALID_OPTION", "--channel needs a channel name: cli, web, slack or discord.");
  const loaded = await loadConfigFile(options.config);
  const { indexDir, embedder: embedderConfig, database } = await resolveIndex(options);
  const storePath = options.store ?? storePathOf(loaded.config, indexDir);
  if (!database.url && storePath !== ":memory:" && !existsSync(storePath)) {
    throw new LlamadeskError(
      "STORE_FAILED",
      `No conversation store at ${storePath}: the bot has not answered anything here yet. Point --store (or the config file's store) at the file \`serve\`, \`slack\` or \`discord\` write to.`,
    );
  }
  const postgres = await openDatabase(database.url);
  const where = { postgres, knowledge: database.knowledge };
  const closers: (() => Promise<void>)[] = [async () => void (await postgres?.close())];
  try {
    const store = await openConversationStore({ ...where, path: storePath });
    closers.unshift(() => store.dispose());
    const ticketsPath = handoffTicketsPathOf(loaded, storePath);
    const tickets = postgres || existsSync(ticketsPath) ? await openHandoffTicketStore({ ...where, path: ticketsPath }) : undefined;
    if (tickets) closers.unshift(() => tickets.dispose());
    const embedder = await createEmbedder(embedderConfig);
    closers.unshift(async () => void (await embedder.dispose?.()));
    const knowledge = await openKnowledge(indexDir, database, postgres, embedder);
    if (knowledge) closers.unshift(() => knowledge.dispose());
    const report = await buildInsightsReport({
      store,
      ...(tickets ? { tickets } : {}),
      embedder,
      ...(knowledge ? { knowledge } : {}),
      since,
      until: now,
      ...(options.channel !== undefined ? { channel: options.channel.trim() } : {}),
    });
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return 0;
  } finally {
    for (const close of closers) await close();
  }
}

/** The knowledge, for gaps' closest entries and entries never retrieved; none (with a note) when there is no index yet. */
async function openKnowledge(
  indexDir: string,
  database: { url?: string | undefined; knowledge?: string | undefined },
  postgres: Awaited<ReturnType<typeof openDatabase>>,
  embedder: Awaited<ReturnType<typeof createEmbedder>>,
): Promise<KnowledgeStore | undefined> {
  try {
    return await openKnowledgeStore({ indexDir, database: postgres, knowledge: database.knowledge, embedder });
  } catch (error) {
    if (!isLlamadeskError(error, "INDEX_NOT_FOUND")) throw error;
    process.stderr.write(`note: no knowledge at ${indexDir}: gaps are listed without their closest entry, and entries never retrieved are not listed.\n`);
    return undefined;
  }
}

import { existsSync } from "node:fs";
import { indexDirOf, loadConfigFile, storePathOf } from "../configFile.js";
import { isLlamadeskError, LlamadeskError } from "../errors.js";
import { copyKnowledge, type CopyKnowledgeSummary } from "../knowledge/copyKnowledge.js";
import { LocalKnowledgeStore } from "../knowledge/LocalKnowledgeStore.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { resolveReviewQueuePath } from "../mining/reviewQueuePath.js";
import { SqliteReviewQueue } from "../mining/SqliteReviewQueue.js";
import type { CopyConversationsSummary, CopyCounts } from "../postgres/copyConversations.js";
import { DEFAULT_KNOWLEDGE } from "../postgres/knowledgeName.js";
import type { Postgres } from "../postgres/Postgres.js";
import { readSqliteConversations } from "../store/readSqliteConversations.js";
import { SqliteHandoffTicketStore } from "../store/SqliteHandoffTicketStore.js";
import { handoffTicketsPathOf } from "./handoffTicketsPathOf.js";
import { waitingMessage } from "./lockIndexForWriting.js";
import { createProgressBar } from "./progressBar.js";
import { requireDatabase } from "./requireDatabase.js";

export interface MigrateToPostgresCliOptions {
  database?: string;
  knowledge?: string;
  config?: string;
  index?: string;
  /** The conversation store (else the config file's `store`, else conversations.sqlite beside the index). */
  store?: string;
  /** The review queue (else the config file's `mining.queue`, else review.sqlite beside the index). */
  queue?: string;
  /** The handoff tickets (else the config file's `web.tickets`, else handoff-tickets.sqlite beside the conversation store). */
  tickets?: string;
  /** Replace what the target knowledge base holds. */
  replace?: boolean;
  json?: boolean;
  /** `--no-wait`: fail with INDEX_LOCKED instead of waiting while another command writes the knowledge base. */
  wait?: boolean;
}

/** What was copied from one local file (or why nothing was). */
interface Part<T> {
  path: string;
  /** False when there is no such file: nothing to copy. */
  found: boolean;
  copied?: T;
}

/**
 * `llamadesk migrate-to-postgres`: copies the local index (docs, chunks, vectors, sync state: nothing is
 * embedded again), the conversations, the review queue and the handoff tickets into PostgreSQL. Progress
 * on stderr, a summary on stdout. Running it again copies only what is not there yet.
 */
export async function migrateToPostgresCommand(options: MigrateToPostgresCliOptions): Promise<number> {
  const loaded = await loadConfigFile(options.config);
  const { url, knowledge = DEFAULT_KNOWLEDGE } = await requireDatabase(options, "migrate-to-postgres");
  const indexDir = indexDirOf(options.index, loaded.config);
  const storePath = options.store ?? storePathOf(loaded.config, indexDir);
  const paths = {
    store: storePath,
    queue: resolveReviewQueuePath({ queue: options.queue, index: indexDir }, loaded),
    tickets: options.tickets ?? handoffTicketsPathOf(loaded, storePath),
  };
  const source = await openSource(indexDir);
  const { openPostgres } = await import("../postgres/openPostgres.js");
  const postgres = await openPostgres(url);
  try {
    process.stderr.write(`Copying to PostgreSQL ${postgres.where}, knowledge base "${knowledge}"...\n`);
    const index = await copyIndex(source, postgres, knowledge, options);
    const conversations = await copyPart(paths.store, async (path) => {
      const [{ copyConversations }, reader] = await Promise.all([import("../postgres/copyConversations.js"), readSqliteConversations(path)]);
      try {
        const bar = createProgressBar("conversations", "conversations");
        const summary = await copyConversations({
          postgres,
          knowledge,
          conversations: reader.conversations(),
          seenEvents: reader.seenEvents(Date.now()),
          onProgress: (done) => bar.update(done, reader.count),
        });
        bar.stop();
        return summary;
      } finally {
        reader.close();
      }
    });
    const reviewQueue = await copyPart(paths.queue, async (path) => {
      const [{ copyReviewCandidates }, queue] = await Promise.all([import("../postgres/copyReviewCandidates.js"), SqliteReviewQueue.open({ path })]);
      try {
        const candidates = await queue.list({ status: "all" });
        const bar = createProgressBar("review queue", "candidates");
        const copied = await copyReviewCandidates({ postgres, knowledge, candidates, onProgress: (done) => bar.update(done, candidates.length) });
        bar.stop();
        return copied;
      } finally {
        await queue.dispose();
      }
    });
    const tickets = await copyPart(paths.tickets, async (path) => {
      const [{ copyHandoffTickets }, store] = await Promise.all([import("../postgres/copyHandoffTickets.js"), SqliteHandoffTicketStore.open({ path })]);
      try {
        return await copyHandoffTickets({ postgres, knowledge, tickets: await store.list() });
      } finally {
        await store.dispose();
      }
    });
    const summary = { database: postgres.where, knowledge, index: { path: indexDir, ...index }, conversations, reviewQueue, tickets };
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    return 0;
  } finally {
    await source.dispose();
    await postgres.close();
  }
}

async function copyIndex(source: LocalKnowledgeStore, postgres: Postgres, knowledge: string, options: MigrateToPostgresCliOptions): Promise<CopyKnowledgeSummary> {
  const target = await openTarget(source, postgres, knowledge, options.replace === true);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const bar = createProgressBar("knowledge", "docs");
  try {
    return await copyKnowledge({
      from: source,
      to: target,
      writer: {
        command: "llamadesk migrate-to-postgres",
        ...(options.wait !== undefined ? { wait: options.wait } : {}),
        signal: controller.signal,
        onWait: (holder) => process.stderr.write(waitingMessage(holder, target.location)),
      },
      ...(options.replace ? { replace: true } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await target.dispose();
  }
}

/**
 * The knowledge base to copy into: as it is when it exists (copyKnowledge refuses another embedder's), for
 * a rebuild with the source's embedder under --replace, else a new one.
 */
async function openTarget(source: LocalKnowledgeStore, postgres: Postgres, knowledge: string, replace: boolean): Promise<KnowledgeStore> {
  const { PostgresKnowledgeStore } = await import("../postgres/PostgresKnowledgeStore.js");
  if (!replace) {
    const existing = await PostgresKnowledgeStore.open({ postgres, knowledge }).catch((error: unknown) => {
      if (isLlamadeskError(error, "INDEX_NOT_FOUND")) return undefined;
      throw error;
    });
    if (existing) return existing;
  }
  return PostgresKnowledgeStore.open({ postgres, knowledge, embedder: source.embedder, create: true, ...(replace ? { rebuild: true } : {}) });
}

async function openSource(indexDir: string): Promise<LocalKnowledgeStore> {
  try {
    return await LocalKnowledgeStore.open({ dir: indexDir });
  } catch (error) {
    if (!isLlamadeskError(error, "INDEX_NOT_FOUND")) throw error;
    throw new LlamadeskError(
      "INDEX_NOT_FOUND",
      `No llamadesk index in ${indexDir} to copy. Point --index (or "index" in the config file) at the index the bots use now.`,
      { cause: error },
    );
  }
}

async function copyPart<T>(path: string, copy: (path: string) => Promise<T>): Promise<Part<T>> {
  if (!existsSync(path)) return { path, found: false };
  return { path, found: true, copied: await copy(path) };
}

interface MigrationSummary {
  database: string;
  knowledge: string;
  index: CopyKnowledgeSummary & { path: string };
  conversations: Part<CopyConversationsSummary>;
  reviewQueue: Part<CopyCounts>;
  tickets: Part<CopyCounts>;
}

function formatSummary(s: MigrationSummary): string {
  const counts = ({ total, copied }: CopyCounts, what: string) => `${count(total, what)} (${copied} copied, ${total - copied} already there)`;
  const part = <T>(p: Part<T>, describe: (copied: T) => string) => (p.copied !== undefined ? `${describe(p.copied)} from ${p.path}` : `nothing: no file ${p.path}`);
  const { index } = s;
  const lines = [
    `Copied to PostgreSQL ${s.database}, knowledge base "${s.knowledge}":`,
    `  knowledge      ${counts({ total: index.docs, copied: index.copied }, "doc")}, ${count(index.chunks, "chunk")}, sync state of ${count(index.syncSources, "source")} from ${index.path}`,
    `  conversations  ${part(s.conversations, (c) => `${counts(c.conversations, "conversation")}, ${count(c.turns.total, "turn")}, ${count(c.votes.total, "vote")}`)}`,
    `  review queue   ${part(s.reviewQueue, (c) => counts(c, "candidate"))}`,
    `  tickets        ${part(s.tickets, (c) => counts(c, "ticket"))}`,
    'Nothing was embedded again. Point the bots at the database: --database, "database" in llamadesk.config.json, or LLAMADESK_DATABASE_URL.',
  ];
  return `${lines.join("\n")}\n`;
}

function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? "" : "s"}`;
}

import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readEnv } from "../config.js";
import { CONFIG_FILE_NAME, databaseOf, indexDirOf, loadConfigFile } from "../configFile.js";
import { openDatabase } from "../openStateStores.js";
import { isLlamadeskError, LlamadeskError } from "../errors.js";
import { createEmbedder } from "../knowledge/createEmbedder.js";
import { chatModelChoiceOf } from "../model/createChatModel.js";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { openKnowledgeStore } from "../knowledge/openKnowledgeStore.js";
import { embedderConfig } from "../presets/createLocalBot.js";
import { parseMiningConfig } from "../mining/MiningConfig.js";
import { resolveReviewQueuePath } from "../mining/reviewQueuePath.js";
import { configuredSources, type ConfiguredSource } from "../sync/configuredSources.js";
import { createMiningStep, type MiningStep } from "../sync/createMiningStep.js";
import { runSync, type SyncRun } from "../sync/runSync.js";
import type { SourceSyncResult } from "../sync/syncSources.js";
import type { IndexCliOptions } from "./cliOptions.js";
import { formatIssue } from "./ingestWithProgress.js";
import { waitingMessage } from "./lockIndexForWriting.js";
import { createProgressBar, type ProgressBar } from "./progressBar.js";

export interface SyncCliOptions extends IndexCliOptions {
  config?: string;
  /** Keep syncing every `every` ms (15 minutes with --watch alone). */
  watch?: boolean;
  every?: number;
  full?: boolean;
  json?: boolean;
  /** `--no-mine`: do not mine chat threads into the review queue this time. */
  mine?: boolean;
  /** The review queue file (else the config's `mining.queue`, else `review.sqlite` beside the index). */
  queue?: string;
  /** `--no-wait`: fail with INDEX_LOCKED instead of waiting while another command writes the index. */
  wait?: boolean;
}

const DEFAULT_EVERY_MS = 15 * 60_000;

/**
 * `llamadesk sync`: pulls every source the config file lists into the index, incrementally,
 * with progress on stderr and a summary per source on stdout. Exits non-zero when a source
 * failed (the others are still synced). With --watch/--every it runs until interrupted.
 */
export async function syncCommand(options: SyncCliOptions): Promise<number> {
  const loaded = await loadConfigFile(options.config);
  const { config, path: configPath } = loaded;
  if (!config.sources?.length) {
    throw new LlamadeskError(
      "SOURCE_CONFIG_INVALID",
      `${configPath ?? `No ${CONFIG_FILE_NAME} found, so`} ${configPath ? "lists no sources" : "there are no sources to sync"}. ` +
        'Add e.g. "sources": [{ "connector": "faq-files", "paths": ["knowledge/sources"] }] (see README, "Sync").',
    );
  }
  const secrets = new Set<string>();
  const sources = await configuredSources(config.sources, {
    configPath: configPath!,
    baseDir: dirname(configPath!),
    onSecret: (value) => secrets.add(value),
  });
  const env = readEnv();
  const indexDir = indexDirOf(options.index, config);
  const database = databaseOf(options, config);
  const mining = parseMiningConfig(config.mining, `${configPath}: mining`);
  // What is opened is closed in reverse order, whatever happens.
  const closing: (() => Promise<unknown>)[] = [];
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const embedder = await createEmbedder(embedderConfig(options, config, env));
    closing.unshift(async () => embedder.dispose?.());
    const postgres = await openDatabase(database.url);
    if (postgres) closing.unshift(() => postgres.close());
    const step =
      options.mine === false || mining.enabled === false
        ? undefined
        : await createMiningStep({
            queue: { path: resolveReviewQueuePath({ queue: options.queue, index: indexDir }, loaded), postgres, knowledge: database.knowledge },
            embedder,
            rules: mining,
            model: chatModelChoiceOf({}, config, env),
            modelConfig: config,
            onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
          });
    if (step) closing.unshift(() => step.dispose());
    if (step && !sources.some((s) => s.connector === "reviewed-faq")) sources.push(step.reviewedSource);
    const store = await openKnowledgeStore({ indexDir, database: postgres, knowledge: database.knowledge, embedder, create: true });
    closing.unshift(() => store.dispose());

    const every = options.every ?? (options.watch ? DEFAULT_EVERY_MS : undefined);
    let failed = false;
    for (let first = true; first || every !== undefined; first = false) {
      const run = await syncOnce(options, { store, sources, embedder, secrets, signal: controller.signal, step });
      failed = run === undefined || run.results.some((r) => r.error);
      if (every === undefined || controller.signal.aborted) break;
      process.stderr.write(`Next sync at ${new Date(Date.now() + every).toLocaleTimeString()} (Ctrl-C to stop).\n`);
      await sleep(every, undefined, { signal: controller.signal }).catch(() => undefined);
      if (controller.signal.aborted) break;
    }
    return failed && every === undefined ? 1 : 0;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    for (const close of closing) await close();
  }
}

interface SyncDeps {
  store: KnowledgeStore;
  sources: ConfiguredSource[];
  embedder: Embedder;
  secrets: Set<string>;
  signal: AbortSignal;
  step: MiningStep | undefined;
}

/** One run with its progress and summary; undefined when it was interrupted. */
async function syncOnce(options: SyncCliOptions, deps: SyncDeps): Promise<SyncRun | undefined> {
  let bar: ProgressBar | undefined;
  try {
    const run = await runSync({
      store: deps.store,
      embedder: deps.embedder,
      sources: deps.sources,
      secrets: () => deps.secrets,
      signal: deps.signal,
      wait: options.wait,
      onWait: (holder) => process.stderr.write(waitingMessage(holder, deps.store.location)),
      ...(options.full ? { full: true } : {}),
      ...(deps.step ? { afterPull: deps.step.afterPull } : {}),
      onSourceStart: (source) => {
        process.stderr.write(`Syncing ${source.name}${source.name === source.connector ? "" : ` (${source.connector})`}...\n`);
        bar = createProgressBar(`  ${source.name}: embedding`, "docs");
      },
      onProgress: (_source, p) => {
        if (p.phase === "embedding" && p.total) bar?.update(p.done, p.total);
      },
      onIssue: (source, issue) => process.stderr.write(`warning: ${source.name}: ${formatIssue(issue)}\n`),
      onSourceDone: () => {
        bar?.stop();
        bar = undefined;
      },
    });
    printRun(run, deps.store.location, options.json === true);
    return run;
  } catch (error) {
    bar?.stop();
    if (deps.signal.aborted) {
      process.stderr.write("Sync interrupted; sources that finished are saved.\n");
      return undefined;
    }
    if (isLlamadeskError(error, "INDEX_LOCKED") && (options.watch || options.every !== undefined)) {
      process.stderr.write(`error [INDEX_LOCKED]: ${error.message} Trying again at the next run.\n`);
      return undefined;
    }
    throw error;
  }
}

function printRun(run: SyncRun, indexDir: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ index: indexDir, at: new Date().toISOString(), ...run })}\n`);
    return;
  }
  const width = Math.max(...run.results.map((r) => r.name.length));
  for (const result of run.results) process.stdout.write(`${result.name.padEnd(width)}  ${describe(result)}\n`);
  process.stdout.write(`Index ${indexDir}: ${run.docs} docs, ${run.chunks} chunks (${(run.durationMs / 1000).toFixed(1)}s).\n`);
  const candidates = run.results.reduce((n, r) => n + (r.extra?.["new candidate(s)"] ?? 0), 0);
  if (candidates > 0) process.stdout.write(`${candidates} new Q/A candidate(s) from resolved threads: review them with \`llamadesk review\`.\n`);
}

function describe(result: SourceSyncResult): string {
  if (result.error) return `failed [${result.error.code}]: ${result.error.message} (its docs are unchanged)`;
  const c = result.counts!;
  const extra = result.extra ? `; ${Object.entries(result.extra).map(([k, v]) => `${v} ${k}`).join(", ")}` : "";
  return (
    `${c.read} docs: ${c.added} added, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged` +
    `${c.kept ? `, ${c.kept} kept (files with problems)` : ""}, ${c.issues} problem(s)${extra} (${(c.durationMs / 1000).toFixed(1)}s)`
  );
}

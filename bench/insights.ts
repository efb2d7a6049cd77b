import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { buildInsightsReport } from "../src/insights/buildInsightsReport.js";
import { clusterQuestions, DEFAULT_GAP_THRESHOLD } from "../src/insights/clusterQuestions.js";
import type { Embedder } from "../src/knowledge/Embedder.js";
import { countActivity, type StoredConversation } from "../src/store/countActivity.js";
import type { Conversation, Turn, TurnSource, Vote } from "../src/store/ConversationStore.js";
import { SqliteConversationStore } from "../src/store/SqliteConversationStore.js";
import { loadBanking77, type LabelledText } from "./datasets/banking77.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { mulberry32 } from "./lib/random.js";
import { Recorder, type BenchRow } from "./lib/report.js";

const THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85];
const DAYS = 90;
const NOW = Date.parse("2024-06-30T00:00:00.000Z");

/**
 * Insights (BENCH_ONLY=insights). (1) Coverage-gap clustering on banking77: the threshold swept on a sample of
 * train.csv (purity, intent recall, their F), then test.csv's 3,080 questions treated as unanswered, clustered
 * at DEFAULT_GAP_THRESHOLD. (2) `llamadesk report`'s work on a SQLite store of 10k, 100k and 1M generated turns
 * (90 days, four channels; failed questions are banking77 wordings): the store's GROUP BY queries against a
 * baseline that reads every turn into JS and counts there, then the whole report with gaps. Stores are generated
 * once into node_modules/.cache/llamadesk/bench/ through the store's appendTurn (100k: minutes); 1M is ten copies of the
 * 100k store (new ids, the same 90 days), made in SQL. BENCH_INSIGHTS_SIZES=10000,100000 picks sizes;
 * BENCH_INSIGHTS_CLUSTERS=0 skips the clustering part.
 */
export async function benchInsights(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("insights");
  const embedder = await options.embedder();
  const banking = await loadBanking77();
  if (process.env.BENCH_INSIGHTS_CLUSTERS !== "0") await clusteringQuality(rec, embedder, banking, options.quick);
  const sizes = (process.env.BENCH_INSIGHTS_SIZES ?? (options.quick ? "10000,100000" : "10000,100000,1000000")).split(",").map(Number);
  for (const turns of sizes) await reportSpeed(rec, embedder, banking.test, turns);
  return rec.rows;
}

async function clusteringQuality(rec: Recorder, embedder: Embedder, banking: { train: LabelledText[]; test: LabelledText[] }, quick: boolean): Promise<void> {
  const step = quick ? 20 : 5;
  const sample = banking.train.filter((_, i) => i % step === 0);
  console.log(`\n== Gap clustering: threshold sweep on banking77 train (every ${step}th: ${sample.length} questions, ${new Set(sample.map((s) => s.category)).size} intents)`);
  const sampleVectors = await embedder.embed(sample.map((s) => s.text));
  let best = { threshold: 0, f: -1 };
  for (const threshold of THRESHOLDS) {
    const score = scoreClusters(clusterQuestions(sampleVectors, { threshold }).map((c) => c.members), sample);
    console.log(
      `  threshold ${threshold.toFixed(2)}: ${String(score.clusters).padStart(4)} clusters, purity ${score.purity.toFixed(3)}, intent recall ${score.inversePurity.toFixed(3)}, F ${score.f.toFixed(3)}, grouped ${score.grouped.toFixed(3)}`,
    );
    if (score.f > best.f) best = { threshold, f: score.f };
  }
  rec.record("best threshold on train sample (max F of purity and intent recall)", best.threshold, "cosine");
  const test = quick ? banking.test.filter((_, i) => i % 3 === 0) : banking.test;
  console.log(`\n== Gap clustering at DEFAULT_GAP_THRESHOLD ${DEFAULT_GAP_THRESHOLD} on banking77 test (${test.length} questions treated as unanswered)`);
  const testVectors = await embedder.embed(test.map((t) => t.text));
  const start = performance.now();
  const clusters = clusterQuestions(testVectors).map((c) => c.members);
  const clusterMs = performance.now() - start;
  const score = scoreClusters(clusters, test);
  rec.record("test: clusters (77 intents)", score.clusters, "");
  rec.record("test: purity (questions in their cluster's majority intent)", score.purity, "", { op: ">=", value: 0.7 });
  rec.record("test: intent recall (questions in their intent's biggest cluster)", score.inversePurity, "");
  rec.record("test: coverage (questions grouped with another, not alone)", score.grouped, "");
  const top = [...clusters].sort((a, b) => b.length - a.length);
  rec.record("test: share of questions in the 10 biggest gaps", top.slice(0, 10).reduce((n, c) => n + c.length, 0) / test.length, "");
  rec.record(`test: clustering time (${test.length} vectors)`, clusterMs, "ms");
}

interface ClusterScore {
  clusters: number;
  purity: number;
  inversePurity: number;
  f: number;
  grouped: number;
}

function scoreClusters(clusters: number[][], labelled: readonly LabelledText[]): ClusterScore {
  const n = labelled.length;
  let pure = 0;
  const bestShare = new Map<string, number>();
  for (const members of clusters) {
    const counts = new Map<string, number>();
    for (const i of members) counts.set(labelled[i]!.category, (counts.get(labelled[i]!.category) ?? 0) + 1);
    pure += Math.max(...counts.values());
    for (const [category, count] of counts) bestShare.set(category, Math.max(bestShare.get(category) ?? 0, count));
  }
  const purity = pure / n;
  const inversePurity = [...bestShare.values()].reduce((a, b) => a + b, 0) / n;
  const grouped = clusters.filter((c) => c.length > 1).reduce((s, c) => s + c.length, 0) / n;
  return { clusters: clusters.length, purity, inversePurity, f: (2 * purity * inversePurity) / (purity + inversePurity), grouped };
}

async function reportSpeed(rec: Recorder, embedder: Embedder, failedWordings: readonly LabelledText[], turns: number): Promise<void> {
  const label = turns >= 1_000_000 ? `${turns / 1_000_000}M` : `${turns / 1000}k`;
  console.log(`\n== Report on ${label} generated turns (${DAYS} days, SQLite store)`);
  const path = turns > 100_000 && turns % 100_000 === 0 ? await copiedStore(turns, failedWordings) : await generatedStore(turns, failedWordings);
  const store = await SqliteConversationStore.open({ path, now: () => new Date(NOW) });
  try {
    const until = new Date(NOW);
    for (const days of [7, DAYS]) {
      const span = { since: new Date(NOW - days * 86_400_000).toISOString(), until: until.toISOString() };
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await store.activity({ ...span, period: days > 31 ? "week" : "day" });
        await store.failedQuestions({ ...span, limit: 500 });
        await store.sourceUse(span);
        runs.push(performance.now() - start);
      }
      const best = Math.min(...runs);
      rec.record(`${label} turns, last ${days} days: the report's store queries (best of 3)`, best, "ms", turns >= 1_000_000 && days === DAYS ? { op: "<", value: 2000 } : undefined);
      if (days === DAYS) {
        const start = performance.now();
        countActivity(readEveryTurn(path), { ...span, period: "week" });
        const baseline = performance.now() - start;
        rec.record(`${label} turns, ${days} days: baseline, every turn read into JS and counted there`, baseline, "ms");
        rec.record(`${label} turns, ${days} days: baseline / GROUP BY queries`, baseline / best, "x");
      }
    }
    const start = performance.now();
    const report = await buildInsightsReport({ store, embedder, since: new Date(NOW - 7 * 86_400_000), until });
    rec.record(`${label} turns, last 7 days: whole report with gaps (${report.gaps.length} shown; embeds up to 500 failed wordings)`, performance.now() - start, "ms");
    console.log(`    deflection rate ${report.totals.deflectionRate?.toFixed(3)}, asked ${report.totals.asked}, top gap: ${JSON.stringify(report.gaps[0]?.examples.slice(0, 3))}`);
  } finally {
    await store.dispose();
  }
}

/** The naive way, for comparison: every conversation with its turns and votes in memory. */
function readEveryTurn(path: string): StoredConversation[] {
  const db = new Database(path, { readonly: true });
  try {
    const conversations = new Map<string, StoredConversation & { turns: Turn[] }>();
    for (const c of db.prepare("SELECT id, channel, status, created_at, updated_at FROM conversations").iterate() as Iterable<Record<string, string>>) {
      const conversation: Conversation = { id: c.id!, channel: c.channel!, status: c.status as Conversation["status"], createdAt: c.created_at!, updatedAt: c.updated_at! };
      conversations.set(c.id!, { conversation, turns: [], votes: () => [] });
    }
    const votes = new Map<string, Vote[]>();
    for (const v of db.prepare("SELECT turn_id, vote FROM feedback").iterate() as Iterable<{ turn_id: string; vote: Vote }>) votes.set(v.turn_id, [...(votes.get(v.turn_id) ?? []), v.vote]);
    for (const t of db.prepare("SELECT id, conversation_id, role, text, outcome, sources, mode, handoff_reason, ttft_ms, total_ms, created_at FROM turns ORDER BY seq").iterate() as Iterable<
      Record<string, string | number | null>
    >) {
      const turn: Turn = { id: t.id as string, conversationId: t.conversation_id as string, role: t.role as Turn["role"], text: t.text as string, createdAt: t.created_at as string };
      if (t.outcome !== null) turn.outcome = t.outcome as Turn["outcome"] & string;
      if (t.sources !== null) turn.sources = JSON.parse(t.sources as string) as TurnSource[];
      if (t.mode !== null) turn.mode = t.mode as string;
      if (t.ttft_ms !== null) turn.timeToFirstTokenMs = t.ttft_ms as number;
      if (t.total_ms !== null) turn.totalMs = t.total_ms as number;
      conversations.get(turn.conversationId)!.turns.push(turn);
    }
    return [...conversations.values()].map((c) => ({ ...c, votes: (id: string) => votes.get(id) ?? [] }));
  } finally {
    db.close();
  }
}

/** `turns` turns as copies of the 100k store (ids suffixed, times kept): appendTurn would take an hour for a million. */
async function copiedStore(turns: number, failedWordings: readonly LabelledText[]): Promise<string> {
  const source = await generatedStore(100_000, failedWordings);
  const path = resolve("node_modules/.cache/llamadesk/bench", `insights-${turns}-copied-v1.sqlite`);
  if (existsSync(path)) return path;
  const started = performance.now();
  const partial = `${path}.partial`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  copyFileSync(source, partial);
  await (await SqliteConversationStore.open({ path: partial })).dispose();
  const db = new Database(partial);
  const maxSeq = db.prepare("SELECT max(seq) FROM turns").pluck().get() as number;
  const conversations = db.prepare("SELECT max(rowid) FROM conversations").pluck().get() as number;
  db.transaction(() => {
    for (let k = 1; k < turns / 100_000; k++) {
      const offset = k * maxSeq;
      db.prepare(
        `INSERT INTO conversations (id, channel, user, status, created_at, updated_at, answered, handed_off)
         SELECT id || '-${k}', channel, user, status, created_at, updated_at, answered, handed_off FROM conversations WHERE rowid <= ?`,
      ).run(conversations);
      db.prepare(
        `INSERT INTO turns (seq, id, conversation_id, role, text, outcome, sources, mode, created_at, channel, handoff_reason, ttft_ms, total_ms)
         SELECT seq + ${offset}, id || '-${k}', conversation_id || '-${k}', role, text, outcome, sources, mode, created_at, channel, handoff_reason, ttft_ms, total_ms
         FROM turns WHERE seq <= ?`,
      ).run(maxSeq);
      db.prepare(`INSERT INTO turn_sources SELECT turn_seq + ${offset}, source_id, created_at, channel, answered FROM turn_sources WHERE turn_seq <= ?`).run(maxSeq);
      db.prepare(`INSERT INTO feedback SELECT turn_id || '-${k}', user_id, vote, comment, created_at FROM feedback WHERE length(turn_id) = 36`).run();
    }
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  renameSync(partial, path);
  console.log(`    copied the 100k store to ${turns} turns in ${((performance.now() - started) / 1000).toFixed(0)} s: ${path}`);
  return path;
}

/**
 * A store of `turns` turns written through the store's own appendTurn: conversations of one to three questions
 * over 90 days on four channels; 60% answered verbatim, 15% by the model, 15% abstained, 5% handed off after
 * abstaining, 5% asking for a human; 5% of answers voted on. Failed questions are banking77 test wordings.
 */
async function generatedStore(turns: number, failedWordings: readonly LabelledText[]): Promise<string> {
  const dir = resolve("node_modules/.cache/llamadesk/bench");
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, `insights-${turns}-v1.sqlite`);
  if (existsSync(path)) return path;
  const partial = `${path}.partial`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  const random = mulberry32(turns);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let clock = NOW - DAYS * 86_400_000;
  const tick = (DAYS * 86_400_000) / turns;
  const store = await SqliteConversationStore.open({ path: partial, now: () => new Date((clock += tick)) });
  const channels = ["web", "web", "web", "web", "slack", "slack", "discord", "cli"];
  const entry = (i: number): TurnSource => ({ id: `faq-${i}`, title: `Entry ${i}`, source: `faq/help.md:${i * 4}`, score: 0.8 });
  const started = performance.now();
  let written = 0;
  for (let c = 0; written < turns; c++) {
    const id = `conv-${c}`;
    const channel = pick(channels);
    const questions = 1 + Math.floor(random() * 3);
    for (let q = 0; q < questions && written < turns; q++) {
      const roll = random();
      const failed = roll >= 0.75 && roll < 0.95;
      const text = failed ? pick(failedWordings).text : `How do I use feature ${Math.floor(random() * 300)}?`;
      await store.appendTurn({ conversationId: id, role: "user", text, channel, user: `U${c % 5000}` });
      const ms = (base: number) => Math.round(base * Math.exp(random() * 1.5) * 10) / 10;
      const reply =
        roll < 0.6
          ? { outcome: "answered" as const, mode: "extractive", sources: [entry(Math.floor(random() * 300))], timeToFirstTokenMs: ms(8), totalMs: ms(10) }
          : roll < 0.75
            ? { outcome: "answered" as const, mode: "generative", sources: [0, 1, 2].map(() => entry(Math.floor(random() * 300))), timeToFirstTokenMs: ms(400), totalMs: ms(2500) }
            : roll < 0.9
              ? { outcome: "abstained" as const, sources: [entry(Math.floor(random() * 300))], totalMs: ms(15) }
              : roll < 0.95
                ? { outcome: "handoff" as const, handoffReason: "repeated-abstentions" as const, sources: [], totalMs: ms(15) }
                : { outcome: "handoff" as const, handoffReason: "user-request" as const };
      const turn = await store.appendTurn({ conversationId: id, role: "assistant", text: "reply", ...reply });
      written += 2;
      if (reply.outcome === "answered" && random() < 0.05) await store.recordFeedback({ turnId: turn.id, userId: "U1", vote: random() < 0.7 ? "up" : "down" });
    }
    if (random() < 0.1) await store.setStatus(id, "resolved");
    if (c % 50_000 === 0 && c > 0) console.log(`    ${written} turns written (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await store.dispose();
  rmSync(path, { force: true });
  renameSync(partial, path);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  console.log(`    generated ${turns} turns in ${((performance.now() - started) / 1000).toFixed(0)} s: ${path}`);
  return path;
}

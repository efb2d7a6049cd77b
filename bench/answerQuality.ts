import { FaqFilesConnector } from "../connectors/faq-files/index.js";
import { createBot, type Bot } from "../src/bot.js";
import type { BotEvent } from "../src/BotEvent.js";
import { SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../src/config.js";
import { readQueriesFile } from "../src/eval/readQueriesFile.js";
import { ingest } from "../src/knowledge/ingest.js";
import type { KnowledgeStore } from "../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../src/knowledge/LocalKnowledgeStore.js";
import { DEFAULT_POLICY } from "../src/pipeline/AnswerPolicy.js";
import { loadPrompts } from "../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../src/store/MemoryConversationStore.js";
import { CachingEmbedder } from "../src/testing/CachingEmbedder.js";
import { FakeChatModel } from "../src/testing/FakeChatModel.js";
import { loadBanking77 } from "./datasets/banking77.js";
import { buildFaqIndex } from "./datasets/buildFaqIndex.js";
import { loadStackFaq } from "./datasets/stackfaq.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { Recorder, type BenchRow } from "./lib/report.js";

/** What one question came to: the mode chosen (or abstention) and the doc given verbatim. */
interface Outcome {
  kind: "extractive" | "generative" | "abstained" | "other";
  docId?: string;
}

/**
 * Answer quality of the shipped policy, through `bot.ask()` on the real index and embedder. The chat model is a
 * fake: which path the bot takes (verbatim, generated, abstain) does not depend on what the model writes.
 *   StackFAQ: how often `auto` gives an FAQ entry verbatim, and how often it is from the right thread;
 *   the same without a chat model (verbatim is then the only way to answer).
 *   banking77: held-out test rows asked of the banking77 tickets (in domain: abstaining is a miss) and of the
 *   sample product FAQ (out of domain: abstaining is right).
 */
export async function benchAnswerQuality(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("answers");
  const embedder = new CachingEmbedder(await options.embedder());
  const prompts = await loadPrompts();
  const bot = (knowledge: KnowledgeStore, withModel: boolean): Bot =>
    createBot({
      knowledge,
      embedder,
      store: new MemoryConversationStore(),
      prompts,
      ...(withModel ? { chatModel: new FakeChatModel({ answers: ["Generated [1]."] }) } : {}),
    });
  console.log(
    `\n== Answer quality at the shipped policy (minConfidence ${DEFAULT_POLICY.minConfidence}, extractiveMargin ${DEFAULT_POLICY.extractiveMargin}, ` +
      `autoExtractive ${DEFAULT_POLICY.autoExtractiveConfidence}/${DEFAULT_POLICY.autoExtractiveMargin})`,
  );

  const stack = await loadStackFaq();
  const queries = options.quick ? stack.queries.slice(0, 300) : stack.queries;
  const { store: stackIndex } = await buildFaqIndex(stack.entries, embedder);
  await embedder.embed(queries.map((q) => q.query));
  for (const withModel of [true, false]) {
    const stackBot = bot(stackIndex, withModel);
    const outcomes = await Promise.all(queries.map(async (q, i) => ({ q, o: await outcomeOf(stackBot, `s${i}`, q.query) })));
    const verbatim = outcomes.filter(({ o }) => o.kind === "extractive");
    const right = verbatim.filter(({ q, o }) => q.relevant.includes(o.docId ?? "")).length;
    const label = withModel ? "auto with a model" : "no model";
    rec.record(`StackFAQ ${label}: verbatim rate`, verbatim.length / queries.length, "");
    rec.record(`StackFAQ ${label}: verbatim from the right thread`, right / Math.max(1, verbatim.length), "", withModel ? { op: ">=", value: 0.95 } : undefined);
    rec.record(`StackFAQ ${label}: abstention rate`, outcomes.filter(({ o }) => o.kind === "abstained").length / queries.length, "");
  }

  const sample = await LocalKnowledgeStore.open({ embedder });
  await ingest({ store: sample, embedder, connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })] });
  const sampleQueries = await readQueriesFile(SAMPLE_QUERIES_FILE);
  const sampleBot = bot(sample, false);
  const sampleOutcomes = await Promise.all(sampleQueries.map(async (q, i) => ({ q, o: await outcomeOf(sampleBot, `q${i}`, q.query) })));
  const sampleVerbatim = sampleOutcomes.filter(({ o }) => o.kind === "extractive");
  rec.record("sample FAQ no model: verbatim rate", sampleVerbatim.length / sampleQueries.length, "");
  rec.record("sample FAQ no model: verbatim right", sampleVerbatim.filter(({ q, o }) => q.relevant.includes(o.docId ?? "")).length / Math.max(1, sampleVerbatim.length), "");

  const banking = await loadBanking77();
  const tickets = options.quick ? banking.train.slice(0, 2000) : banking.train;
  const tests = options.quick ? banking.test.slice(0, 500) : banking.test;
  const { store: bankIndex } = await buildFaqIndex(tickets.map((t, i) => ({ id: `b${i}`, question: t.text, answer: t.text })), embedder);
  await embedder.embed(tests.map((t) => t.text));
  const inDomain = await abstentionRate(bot(bankIndex, true), tests.map((t) => t.text), "b");
  const outOfDomain = await abstentionRate(bot(sample, true), tests.map((t) => t.text), "o");
  rec.record("banking77 test rows vs banking77 tickets: abstention (in domain)", inDomain, "", { op: "<=", value: 0.05 });
  rec.record("banking77 test rows vs sample product FAQ: abstention (out of domain)", outOfDomain, "");
  return rec.rows;
}

async function outcomeOf(bot: Bot, conversationId: string, text: string): Promise<Outcome> {
  let outcome: Outcome = { kind: "other" };
  for await (const e of bot.ask({ conversationId, text }) as AsyncIterable<BotEvent>) {
    if (e.type === "done") outcome = e.mode === "extractive" ? { kind: "extractive", docId: e.sources[0]!.id } : { kind: "generative" };
    if (e.type === "abstained") outcome = { kind: "abstained" };
  }
  return outcome;
}

async function abstentionRate(bot: Bot, texts: string[], prefix: string): Promise<number> {
  const outcomes = await Promise.all(texts.map((t, i) => outcomeOf(bot, `${prefix}${i}`, t)));
  return outcomes.filter((o) => o.kind === "abstained").length / texts.length;
}



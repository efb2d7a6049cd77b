import { readFile } from "node:fs/promises";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { DEMO_QUESTIONS_FILE, SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { readQueriesFile } from "../../src/eval/readQueriesFile.js";
import type { Embedder } from "../../src/knowledge/Embedder.js";
import { ingest } from "../../src/knowledge/ingest.js";
import type { KnowledgeStore } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { ChatMessage } from "../../src/model/ChatModel.js";
import { DEFAULT_POLICY } from "../../src/pipeline/AnswerPolicy.js";
import { assessAnswerability } from "../../src/pipeline/assessAnswerability.js";
import { buildAnswerMessages, type ChunkLookup } from "../../src/pipeline/buildAnswerMessages.js";
import { looksLikeFollowUp } from "../../src/pipeline/condenseQuestion.js";
import { loadPrompts, type Prompts } from "../../src/prompts/loadPrompts.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import type { Turn } from "../../src/store/ConversationStore.js";
import type { Passage } from "../../src/types.js";

export interface SampleKnowledge {
  store: KnowledgeStore;
  embedder: Embedder;
  retriever: HybridRetriever;
  prompts: Prompts;
  /** Questions the bot answers (the gate lets them through) that read as standalone (no condensing): demo questions first. */
  questions: string[];
  /** The first-turn messages the bot would send for `question`: system prompt, then its numbered sources and the question. */
  firstTurn(question: string): Promise<ChatMessage[]>;
  /** The messages the bot would send for `second` after `first` was answered with `answer` (sources given before are referred to by number). */
  secondTurn(first: string, answer: string, second: string): Promise<ChatMessage[]>;
  /** Another of `questions` whose sources overlap most with this one's: a follow-up on the same topic, as customers ask them. */
  related(question: string): string;
}

/** The shipped sample FAQ (Tidepool) ingested with the real connector and embedder, as the bot would use it. */
export async function sampleKnowledge(embedder: Embedder): Promise<SampleKnowledge> {
  const store = await LocalKnowledgeStore.open({ embedder });
  await ingest({ store, embedder, connectors: [new FaqFilesConnector({ paths: [SAMPLE_SOURCES_DIR] })] });
  const retriever = new HybridRetriever({ store, embedder });
  const prompts = await loadPrompts();
  const retrieve = (question: string) => retriever.retrieve(question, { k: DEFAULT_POLICY.maxSources });

  const demo = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").filter((q) => q.trim() !== "");
  const candidates = [...demo, ...(await readQueriesFile(SAMPLE_QUERIES_FILE)).map((q) => q.query)];
  const questions: string[] = [];
  const sourcesOf = new Map<string, Passage[]>();
  for (const question of candidates) {
    if (looksLikeFollowUp(question)) continue;
    const passages = await retrieve(question);
    if (!assessAnswerability(question, passages, DEFAULT_POLICY).answerable) continue;
    questions.push(question);
    sourcesOf.set(question, passages);
  }
  // How the bot rebuilds an earlier turn's sources: the chunks it was given, looked up by id.
  const given = new Map([...sourcesOf.values()].flat().map(({ score: _score, signals: _signals, ...text }) => [text.chunkId, text]));
  const lookup: ChunkLookup = (chunkId) => given.get(chunkId);
  const build = (history: Turn[], question: string) =>
    buildAnswerMessages({ prompts, product: DEFAULT_POLICY.product, history, question, passages: sourcesOf.get(question) ?? [], lookup }).messages;
  const turn = (role: Turn["role"], text: string, extra: Partial<Turn> = {}): Turn => ({ id: `${role}-${text.length}`, conversationId: "bench", role, text, createdAt: "", ...extra });

  return {
    store,
    embedder,
    retriever,
    prompts,
    questions,
    async firstTurn(question) {
      return build([], question);
    },
    async secondTurn(first, answer, second) {
      const sources = (sourcesOf.get(first) ?? []).map((p) => ({ id: p.chunkId, title: p.title, source: p.docId, score: p.score }));
      return build([turn("user", first), turn("assistant", answer.trim(), { outcome: "answered", mode: "generative", sources })], second);
    },
    related(question) {
      const mine = new Set((sourcesOf.get(question) ?? []).map((p) => p.chunkId));
      const shared = (other: string) => (sourcesOf.get(other) ?? []).filter((p) => mine.has(p.chunkId)).length;
      return questions.filter((q) => q !== question).reduce((best, q) => (shared(q) > shared(best) ? q : best));
    },
  };
}

import type { ChatThread } from "../chat/ChatThread.js";
import type { Embedder } from "../knowledge/Embedder.js";
import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import type { ChatModel } from "../model/ChatModel.js";
import type { PromptTemplate } from "../prompts/PromptTemplate.js";
import { detectResolution } from "./detectResolution.js";
import { DuplicateFinder } from "./DuplicateFinder.js";
import { extractCandidate, type QaDraft } from "./extractCandidate.js";
import { extractWithModel } from "./extractWithModel.js";
import { loadMiningPrompt } from "./loadMiningPrompt.js";
import { resolveMiningRules, type MiningConfig } from "./MiningConfig.js";
import { finalQuestion, type ReviewQueue } from "./ReviewQueue.js";

/** What happened to one thread. */
export type MiningOutcome = "unresolved" | "added" | "merged" | "already-known" | "rejected-before" | "no-question";

export interface MiningProgress {
  done: number;
  total: number;
  threadId: string;
  outcome: MiningOutcome;
  /** Set when the chat model's Q/A could not be used and the rule-based one was taken instead. */
  modelProblem?: string;
}

export interface MineThreadsOptions {
  /** Threads to mine, e.g. `doc.thread` of the chat docs a sync pulled. */
  threads: Iterable<ChatThread>;
  queue: ReviewQueue;
  /** Embeds questions for dedupe; the store's embedder when a store is given. */
  embedder: Embedder;
  /** Candidates matching its FAQ entries are merged into them. Defaults to none. */
  store?: KnowledgeStore;
  /** Writes the condensed Q/A (unless `rules.useModel` is false). Defaults to none: rule-based extraction. */
  chatModel?: ChatModel;
  /** The config file's `mining` section (checked with `parseMiningConfig`). Defaults to the built-in rules. */
  rules?: MiningConfig;
  /** Prompts folder holding `mine.txt`. Defaults to the shipped prompts. Ignored when `prompt` is given. */
  promptsDir?: string;
  /** The mining prompt, already loaded. Defaults to loading it from `promptsDir` (only when a model is used). */
  prompt?: PromptTemplate;
  onProgress?: (progress: MiningProgress) => void;
  signal?: AbortSignal;
}

export interface MiningSummary {
  /** Threads looked at. */
  threads: number;
  /** Threads found resolved this time (known ones are not looked at again). */
  resolved: number;
  /** New pending candidates. */
  added: number;
  /** Candidates merged into an FAQ entry or another candidate. */
  merged: number;
  /** Threads already in the queue (pending, approved or merged). */
  alreadyKnown: number;
  /** Threads whose candidate a reviewer rejected: never proposed again. */
  rejectedBefore: number;
  /** Resolved threads where the model's Q/A was unusable and the rule-based one was kept. */
  modelFallbacks: number;
}

/**
 * Turns resolved threads into review candidates: detects resolution, extracts the condensed Q/A (the
 * chat model when given, else rules), and stores each as `pending`, or as `merged` when its question
 * matches an FAQ entry or another candidate (which gains the thread as provenance). A thread the queue
 * knows, in any status, is skipped: re-syncing adds nothing twice and rejected threads stay out.
 */
export async function mineThreads(options: MineThreadsOptions): Promise<MiningSummary> {
  const { queue, signal } = options;
  const rules = resolveMiningRules(options.rules);
  const model = rules.useModel ? options.chatModel : undefined;
  const prompt = model ? (options.prompt ?? (await loadMiningPrompt(options.promptsDir))) : undefined;
  const known = [...(await queue.list({ status: "pending" })), ...(await queue.approved())];
  const finder = new DuplicateFinder({
    embedder: options.embedder,
    ...(options.store ? { store: options.store } : {}),
    threshold: rules.similarityThreshold,
    candidates: known.map((c) => ({ id: c.id, question: finalQuestion(c) })),
    ...(signal ? { signal } : {}),
  });

  const threads = [...options.threads];
  const summary: MiningSummary = { threads: threads.length, resolved: 0, added: 0, merged: 0, alreadyKnown: 0, rejectedBefore: 0, modelFallbacks: 0 };
  for (const [i, thread] of threads.entries()) {
    signal?.throwIfAborted();
    let modelProblem: string | undefined;
    const outcome = await (async (): Promise<MiningOutcome> => {
      const holder = await queue.findByThread(thread.id);
      if (holder) return holder.threadId === thread.id && holder.status === "rejected" ? "rejected-before" : "already-known";
      const resolution = detectResolution(thread, rules);
      if (!resolution.resolved) return "unresolved";
      summary.resolved++;
      let draft: QaDraft | undefined;
      if (model && prompt) {
        const result = await extractWithModel(thread, resolution, model, prompt, signal ? { signal } : {});
        draft = result.draft;
        modelProblem = result.problem;
      }
      const rulesDraft = extractCandidate(thread, resolution, rules.supportUsers);
      if (draft && rulesDraft) draft = { ...draft, answerMessageIds: rulesDraft.answerMessageIds };
      if (!draft) {
        if (model) summary.modelFallbacks++;
        draft = rulesDraft;
      }
      if (!draft) return "no-question";
      const { vector, match } = await finder.find(draft.question);
      const added = await queue.add({
        thread,
        question: draft.question,
        answer: draft.answer,
        answerMessageIds: draft.answerMessageIds,
        signals: resolution.signals,
        extractedBy: draft.extractedBy,
        ...(match ? { mergedInto: match } : {}),
      });
      if (!match) {
        finder.remember(added.id, draft.question, vector);
        return "added";
      }
      if (match.kind === "candidate" && (await queue.get(match.id))) {
        await queue.addProvenance(match.id, { threadId: thread.id, platform: thread.platform, ...(thread.url ? { url: thread.url } : {}), similarity: match.similarity });
      }
      return "merged";
    })();
    if (outcome === "added") summary.added++;
    else if (outcome === "merged") summary.merged++;
    else if (outcome === "already-known") summary.alreadyKnown++;
    else if (outcome === "rejected-before") summary.rejectedBefore++;
    options.onProgress?.({ done: i + 1, total: threads.length, threadId: thread.id, outcome, ...(modelProblem ? { modelProblem } : {}) });
  }
  return summary;
}

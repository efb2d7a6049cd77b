import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { finalAnswer, finalQuestion, type ReviewQueue } from "../mining/ReviewQueue.js";
import { exampleFromQa, exampleFromThread, type TrainingExample } from "./TrainingExample.js";

export interface GatherExamplesOptions {
  queue: ReviewQueue;
  /** Also the FAQ entries of this knowledge base (hand-written and reviewed alike). Defaults to none. */
  store?: KnowledgeStore;
}

export interface GatheredExamples {
  examples: TrainingExample[];
  counts: { approved: number; threads: number; faq: number };
}

/**
 * What a team has vouched for, as training examples: each approved candidate's question and answer
 * (the reviewer's wording), the resolved threads behind approved candidates (and those merged into
 * an approved candidate or an FAQ entry) as whole
 * conversations, and optionally the index's FAQ entries. Pending and rejected candidates never go in.
 */
export async function gatherExamples(options: GatherExamplesOptions): Promise<GatheredExamples> {
  const examples: TrainingExample[] = [];
  const counts = { approved: 0, threads: 0, faq: 0 };
  const approved = await options.queue.approved();
  for (const candidate of approved) {
    examples.push(exampleFromQa(finalQuestion(candidate), finalAnswer(candidate), candidate.threadUrl ?? candidate.id));
    counts.approved++;
  }
  // A merged thread counts when what it was merged into is vouched for: an FAQ entry or an approved candidate.
  const approvedIds = new Set(approved.map((c) => c.id));
  const merged = (await options.queue.list({ status: "merged" })).filter((c) => c.mergedInto?.kind === "faq" || approvedIds.has(c.mergedInto?.id ?? ""));
  for (const candidate of [...approved, ...merged]) {
    const example = exampleFromThread(candidate.thread);
    if (!example) continue;
    examples.push(example);
    counts.threads++;
  }
  for (const doc of (await options.store?.listDocs()) ?? []) {
    if (doc.kind !== "faq") continue;
    const text = (await options.store!.getPassages(doc.chunkIds)).map((p) => p?.text ?? "").join("\n").trim();
    if (!text) continue;
    examples.push(exampleFromQa(doc.title, text, doc.url ?? doc.id));
    counts.faq++;
  }
  return { examples, counts };
}

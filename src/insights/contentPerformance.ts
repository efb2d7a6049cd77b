import type { KnowledgeStore } from "../knowledge/KnowledgeStore.js";
import { citationOf } from "../pipeline/AnswerSource.js";
import type { SourceUse } from "../store/ConversationActivity.js";
import type { ContentPerformance, EntryPerformance } from "./InsightsReport.js";

/**
 * Source use by chunk, rolled up into knowledge entries (the docs the chunks belong to, when the knowledge
 * is at hand), with the entries nothing gave or showed.
 */
export async function contentPerformance(uses: readonly SourceUse[], knowledge?: KnowledgeStore): Promise<ContentPerformance> {
  const passages = knowledge ? await knowledge.getPassages(uses.map((u) => u.id)) : [];
  const entries = new Map<string, EntryPerformance>();
  uses.forEach((use, i) => {
    const passage = passages[i];
    const ref = passage ? { id: passage.docId, title: passage.title, source: citationOf(passage) } : { id: use.id, title: use.title, source: use.source };
    let entry = entries.get(ref.id);
    if (!entry) entries.set(ref.id, (entry = { ...ref, answered: 0, shownWhenUnanswered: 0, thumbsUp: 0, thumbsDown: 0, downRate: null }));
    entry.answered += use.answered;
    entry.shownWhenUnanswered += use.shownWhenUnanswered;
    entry.thumbsUp += use.up;
    entry.thumbsDown += use.down;
  });
  const all = [...entries.values()].map((e) => ({ ...e, downRate: e.answered === 0 ? null : e.thumbsDown / e.answered }));
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const mostCited = all.filter((e) => e.answered > 0).sort((a, b) => b.answered - a.answered || byId(a, b));
  const mostDownvoted = all.filter((e) => e.thumbsDown > 0).sort((a, b) => (b.downRate ?? 0) - (a.downRate ?? 0) || b.thumbsDown - a.thumbsDown || byId(a, b));
  let neverRetrieved: ContentPerformance["neverRetrieved"] = null;
  if (knowledge) {
    const docs = await knowledge.listDocs();
    neverRetrieved = docs
      .filter((doc) => !entries.has(doc.id))
      .map((doc) => ({ id: doc.id, title: doc.title, source: citationOf({ ...doc, docId: doc.id }) }))
      .sort(byId);
  }
  return { mostCited, mostDownvoted, neverRetrieved };
}

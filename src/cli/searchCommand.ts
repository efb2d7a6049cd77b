import { citationOf } from "../pipeline/AnswerSource.js";
import type { RetrievalMode } from "../retrieval/HybridRetriever.js";
import type { IndexCliOptions } from "./cliOptions.js";
import { openRetriever } from "./openRetriever.js";

export interface SearchCliOptions extends IndexCliOptions {
  k: number;
  mode: RetrievalMode;
  json?: boolean;
}

/** `llamadesk search "<query>"`: ranked passages with scores and sources. */
export async function searchCommand(query: string, options: SearchCliOptions): Promise<number> {
  const { retriever, dispose } = await openRetriever(options);
  try {
    const passages = await retriever.retrieve(query, { k: options.k, mode: options.mode });
    if (options.json) {
      const results = passages.map((p) => ({
        id: p.docId,
        score: p.score,
        text: p.text,
        source: citationOf(p),
        title: p.title,
        chunkId: p.chunkId,
        signals: p.signals,
      }));
      process.stdout.write(`${JSON.stringify({ results })}\n`);
      return 0;
    }
    if (passages.length === 0) {
      process.stdout.write("No matching passages.\n");
      return 0;
    }
    passages.forEach((p, i) => {
      const text = p.text.length > 300 ? `${p.text.slice(0, 297)}...` : p.text;
      process.stdout.write(`${i + 1}. [${p.score.toFixed(3)}] ${p.title}\n   ${citationOf(p)}\n   ${text.replace(/\n+/g, "\n   ")}\n\n`);
    });
    return 0;
  } finally {
    await dispose();
  }
}

import { LlamadeskError } from "../errors.js";
import type { EmbedderIdentity, KnowledgeChanges } from "./KnowledgeStore.js";

/**
 * Refuses a batch of changes that cannot be applied whole, before anything is changed: every store
 * checks first, so a bad batch never leaves half of itself behind.
 */
export function checkChanges(changes: KnowledgeChanges, embedder: EmbedderIdentity): void {
  for (const { doc, chunks, vectors } of changes.upserts ?? []) {
    if (chunks.length !== vectors.length) {
      throw new LlamadeskError("INVALID_OPTION", `apply: doc ${doc.id} has ${chunks.length} chunks but ${vectors.length} vectors (one per chunk).`);
    }
    for (const vector of vectors) {
      if (vector.length !== embedder.dimensions) {
        throw new LlamadeskError(
          "EMBEDDER_MISMATCH",
          `apply: doc ${doc.id} has a ${vector.length}-dimensional vector, but the knowledge is ${embedder.dimensions}-dimensional ("${embedder.id}"). ` +
            "Ingest with the embedder that built it, or rebuild with --rebuild.",
        );
      }
      if (!vector.every(Number.isFinite)) throw new LlamadeskError("EMBEDDER_FAILED", `apply: doc ${doc.id} has a vector that is not all finite numbers.`);
    }
    for (const chunk of chunks) {
      if (chunk.docId !== doc.id) throw new LlamadeskError("INVALID_OPTION", `apply: chunk ${chunk.id} belongs to ${chunk.docId}, not to ${doc.id}.`);
    }
  }
}

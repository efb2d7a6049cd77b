import { UseLiteEmbedder } from "../UseLiteEmbedder.js";
import { EmbedderPool } from "./EmbedderPool.js";

/**
 * USE-lite in worker threads: each worker runs a `UseLiteEmbedder` (built by `createEmbedder` with
 * one worker), so vectors and the embedder id are the single-thread embedder's.
 */
export function useLitePool(options: { workers?: number; jobSize?: number } = {}): EmbedderPool {
  const single = new UseLiteEmbedder(); // holds nothing until it embeds: here only for its id
  return new EmbedderPool({
    id: single.id,
    dimensions: single.dimensions,
    ...options,
    embedder: { module: new URL("../createEmbedder.js", import.meta.url).href, exportName: "createEmbedder", options: { kind: "use-lite", workers: 1 } },
  });
}

import { LlamadeskError } from "../errors.js";

export const INDEX_FORMAT = "llamadesk-index";
export const INDEX_FORMAT_VERSION = 1;

export type VectorIndexKind = "hnsw" | "exact";

/** manifest.json: what built an index and what it holds. Read before anything else. */
export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  formatVersion: number;
  embedder: { id: string; dimensions: number };
  vectorIndex: VectorIndexKind;
  counts: { docs: number; chunks: number };
  createdAt: string;
  updatedAt: string;
}

/** Checks a parsed manifest's shape and version; `where` names the file for the error. */
export function parseManifest(value: unknown, where: string): IndexManifest {
  const m = value as Partial<IndexManifest> | null;
  if (!m || typeof m !== "object" || m.format !== INDEX_FORMAT) {
    throw new LlamadeskError("INDEX_CORRUPT", `${where} is not a llamadesk index manifest. Rebuild with \`llamadesk ingest --rebuild\`.`);
  }
  if (m.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new LlamadeskError(
      "INDEX_FORMAT_UNSUPPORTED",
      `${where} has index format version ${String(m.formatVersion)}; this llamadesk reads version ${INDEX_FORMAT_VERSION}. ` +
        "Rebuild the index with `llamadesk ingest --rebuild <sources>`.",
    );
  }
  if (!m.embedder || typeof m.embedder.id !== "string" || typeof m.embedder.dimensions !== "number") {
    throw new LlamadeskError("INDEX_CORRUPT", `${where} does not say which embedder built the index. Rebuild with \`llamadesk ingest --rebuild\`.`);
  }
  return m as IndexManifest;
}

import type { KnowledgeStore } from "./KnowledgeStore.js";
import { LocalKnowledgeStore, type LocalKnowledgeStoreOptions } from "./LocalKnowledgeStore.js";

export interface OpenKnowledgeStoreOptions extends Omit<LocalKnowledgeStoreOptions, "dir"> {
  /** The local index directory, used when no database is configured. */
  indexDir: string;
}

/**
 * Opens the configured knowledge store: the one place that chooses an implementation. Every command
 * and the bot presets open knowledge through it.
 */
export async function openKnowledgeStore(options: OpenKnowledgeStoreOptions): Promise<KnowledgeStore> {
  const { indexDir, ...rest } = options;
  return LocalKnowledgeStore.open({ dir: indexDir, ...rest });
}

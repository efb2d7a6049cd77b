import { LlamadeskError } from "../errors.js";

/** The knowledge base a store serves when none is named. */
export const DEFAULT_KNOWLEDGE = "default";

/**
 * Checks a store's `knowledge` option and fills in the default. Several bots share one database by
 * knowledge-base name: every llamadesk table keys on it, and a store sees only its own name's rows.
 */
export function knowledgeNameOf(store: string, knowledge: string | undefined): string {
  if (knowledge === undefined) return DEFAULT_KNOWLEDGE;
  if (typeof knowledge !== "string" || knowledge.trim() === "" || knowledge !== knowledge.trim()) {
    throw new LlamadeskError("INVALID_OPTION", `${store}: knowledge must be a knowledge base's name, non-empty and without spaces around it (got ${JSON.stringify(knowledge)}).`);
  }
  return knowledge;
}

import type { StoredPageDoc } from "../website/WebsiteState.js";

/** An article as a help-center connector keeps it between syncs: its docs, and when it last changed. */
export interface StoredArticle {
  updatedAt: string;
  docs: StoredPageDoc[];
}

export interface ArticleState {
  version: 1;
  /** Connector-specific cursor (Zendesk's incremental `end_time`). */
  cursor?: number;
  /** When the last full listing ran (ISO). */
  listedAt?: string;
  articles: Record<string, StoredArticle>;
}

export function readArticleState(raw: unknown): { state: ArticleState; problem?: string } {
  if (raw === undefined || raw === null) return { state: { version: 1, articles: {} } };
  const state = raw as Partial<ArticleState>;
  if (typeof raw !== "object" || state.version !== 1 || typeof state.articles !== "object" || state.articles === null) {
    return { state: { version: 1, articles: {} }, problem: "not an article state of version 1" };
  }
  return { state: state as ArticleState };
}

import { MemoryIssuedConversationIds, type IssuedConversationIds } from "./IssuedConversationIds.js";
import { MemoryRateLimiter, type RateLimiter } from "./RateLimiter.js";
import type { RateLimit } from "./webConfig.js";

/** Which of the web app's budgets a limiter keeps: every request of an address, or the questions of a conversation. */
export type RateLimiterName = "perIp" | "perConversation" | "adminSignIn";

/**
 * What the web app's requests share beyond the bot: rate-limit buckets and issued conversation ids.
 * `MemoryWebState` (the default) keeps them in the process; `PostgresWebState` in the database, for replicas
 * behind a load balancer: a visitor's id and budget then hold on whichever replica a request lands.
 */
export interface WebState {
  /** The limiter of budget `name`, at `limit`: its buckets apart from other names'. */
  rateLimiter(name: RateLimiterName, limit: RateLimit): RateLimiter;
  /** The conversation ids issued and not yet used. */
  readonly issuedIds: IssuedConversationIds;
}

export interface MemoryWebStateOptions {
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

/** The web state of one process, in its memory (bounded: see `MemoryRateLimiter` and `MemoryIssuedConversationIds`). */
export class MemoryWebState implements WebState {
  readonly issuedIds: MemoryIssuedConversationIds;
  private readonly now: () => number;

  constructor(options: MemoryWebStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.issuedIds = new MemoryIssuedConversationIds({ now: this.now });
  }

  rateLimiter(_name: RateLimiterName, limit: RateLimit): RateLimiter {
    return new MemoryRateLimiter({ ...limit, now: this.now });
  }
}

import type { RateLimiter } from "../channels/web/RateLimiter.js";
import type { RateLimit } from "../channels/web/webConfig.js";
import type { RateLimiterName, WebState } from "../channels/web/WebState.js";
import type { Postgres } from "./Postgres.js";
import { PostgresIssuedConversationIds } from "./PostgresIssuedConversationIds.js";
import { PostgresRateLimiter } from "./PostgresRateLimiter.js";

export interface PostgresWebStateOptions {
  /** The database, from `openPostgres`; left open. */
  postgres: Postgres;
  /** The knowledge base whose web server this is: replicas of one bot name the same. Defaults to "default". */
  knowledge?: string;
  /** Clock in milliseconds. Defaults to the database server's clock. */
  now?: () => number;
  /** How often expired rows are deleted, at most, in ms. Defaults to 60,000. */
  pruneEveryMs?: number;
}

/** The web state of replicas sharing one database: rate-limit buckets and issued conversation ids in PostgreSQL. */
export class PostgresWebState implements WebState {
  readonly issuedIds: PostgresIssuedConversationIds;

  constructor(private readonly options: PostgresWebStateOptions) {
    this.issuedIds = new PostgresIssuedConversationIds(options);
  }

  rateLimiter(name: RateLimiterName, limit: RateLimit): RateLimiter {
    return new PostgresRateLimiter({ ...this.options, name, ...limit });
  }
}

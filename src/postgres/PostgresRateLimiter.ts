import { rateDecision, type RateDecision, type RateLimiter } from "../channels/web/RateLimiter.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface PostgresRateLimiterOptions {
  /** The database, from `openPostgres`; left open. */
  postgres: Postgres;
  /** The knowledge base whose web server this is. Defaults to "default". */
  knowledge?: string;
  /** The budget's name (`perIp`, `perConversation`): limiters of other names keep other buckets. */
  name: string;
  /** Requests allowed in a burst, and per `windowSeconds` on average. */
  requests: number;
  windowSeconds: number;
  /** Clock in milliseconds. Defaults to the database server's clock: one clock for every replica. */
  now?: () => number;
  /** How often buckets full again are deleted, at most, in ms. Defaults to 60,000. */
  pruneEveryMs?: number;
}

/**
 * A RateLimiter in PostgreSQL (table `llamadesk_rate_limits`), for replicas sharing a budget per key: a take is
 * one upsert, which PostgreSQL runs one at a time per bucket, so of requests racing on any replicas exactly as
 * many get through as the bucket holds. The same token bucket as `MemoryRateLimiter`, decision for decision.
 * Bounded by time: a bucket untouched for a window is full again, the same as none, and its row is deleted.
 */
export class PostgresRateLimiter implements RateLimiter {
  private readonly knowledge: string;
  /** Tokens per millisecond. */
  private readonly rate: number;
  private readonly pruneEveryMs: number;
  private lastPrune = -Infinity;

  constructor(private readonly options: PostgresRateLimiterOptions) {
    this.knowledge = knowledgeNameOf("PostgresRateLimiter", options.knowledge);
    this.rate = options.requests / (options.windowSeconds * 1000);
    this.pruneEveryMs = options.pruneEveryMs ?? 60_000;
  }

  async take(key: string): Promise<RateDecision> {
    const now = this.options.now ? new Date(this.options.now()).toISOString() : null;
    if (Date.now() - this.lastPrune >= this.pruneEveryMs) await this.prune(now);
    // The bucket refilled since `at` (no more than full), as MemoryRateLimiter works it out.
    const refilled = "least($4::float8, b.tokens + (greatest(extract(epoch from excluded.at - b.at), 0) * 1000)::float8 * $7::float8)";
    const { rows } = await this.options.postgres.query<{ tokens: number; allowed: boolean }>(
      `INSERT INTO llamadesk_rate_limits AS b (knowledge, limiter, key, tokens, allowed, at, expires_at)
       SELECT $1, $2, $3, $4::float8 - 1, true, t.now, t.now + make_interval(secs => $6::float8)
       FROM (SELECT coalesce($5::timestamptz, clock_timestamp()) AS now) AS t
       ON CONFLICT (knowledge, limiter, key) DO UPDATE SET
         tokens = CASE WHEN ${refilled} >= 1 THEN ${refilled} - 1 ELSE ${refilled} END,
         allowed = ${refilled} >= 1,
         at = greatest(b.at, excluded.at),
         expires_at = greatest(b.expires_at, excluded.expires_at)
       RETURNING tokens, allowed`,
      [this.knowledge, this.options.name, key, this.options.requests, now, this.options.windowSeconds, this.rate],
    );
    const row = rows[0]!;
    return rateDecision(row.allowed, row.tokens, this.rate);
  }

  /** Deletes buckets full again, skipping rows a take holds: it never waits, so it cannot deadlock with one. */
  private async prune(now: string | null): Promise<void> {
    this.lastPrune = Date.now();
    await this.options.postgres.query(
      `DELETE FROM llamadesk_rate_limits WHERE (knowledge, limiter, key) IN (
         SELECT knowledge, limiter, key FROM llamadesk_rate_limits
         WHERE knowledge = $1 AND expires_at <= coalesce($2::timestamptz, clock_timestamp())
         LIMIT 10000 FOR UPDATE SKIP LOCKED
       )`,
      [this.knowledge, now],
    );
  }
}

/** `ok`, or how many whole seconds until one more request would be allowed (for `Retry-After`). */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A token bucket per key (an address, a conversation): `requests` tokens, refilled evenly over `windowSeconds`;
 * each request takes one. `MemoryRateLimiter` keeps the buckets in the process (one server); `PostgresRateLimiter`
 * in the database, so replicas behind a load balancer share one budget per key.
 */
export interface RateLimiter {
  /** Takes a token from `key`'s bucket when it has one. */
  take(key: string): Promise<RateDecision>;
}

/** The decision for a bucket holding `tokens` after a take (`ok`: one was taken), refilled at `rate` tokens per ms. */
export function rateDecision(ok: boolean, tokens: number, rate: number): RateDecision {
  return ok ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / rate / 1000)) };
}

export interface MemoryRateLimiterOptions {
  /** Requests allowed in a burst, and per `windowSeconds` on average. */
  requests: number;
  windowSeconds: number;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * Buckets kept at most (about 150 bytes each). Past it, full buckets are forgotten, then the least recently used,
   * down to nine tenths, so the pruning runs once per many new keys. Defaults to 10,000.
   */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A RateLimiter in process memory: one server process. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly capacity: number;
  /** Tokens per millisecond. */
  private readonly rate: number;
  private readonly now: () => number;
  private readonly maxKeys: number;
  /** In order of last use: the least recently used first. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: MemoryRateLimiterOptions) {
    this.capacity = options.requests;
    this.rate = options.requests / (options.windowSeconds * 1000);
    this.now = options.now ?? Date.now;
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
  }

  /** How many buckets are kept. */
  get size(): number {
    return this.buckets.size;
  }

  async take(key: string): Promise<RateDecision> {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.rate);
    bucket.at = now;
    const ok = bucket.tokens >= 1;
    if (ok) bucket.tokens -= 1;
    // Taken before pruning, so this bucket is not full (and last in use order): it stays.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.prune(now);
    return rateDecision(ok, bucket.tokens, this.rate);
  }

  /**
   * A full bucket is the same as no bucket: dropping those bounds memory without letting anyone through sooner.
   * When too few are full (more keys busy at once than `maxKeys`), the least recently used go too: the most refilled.
   */
  private prune(now: number): void {
    const target = Math.max(1, Math.floor(this.maxKeys * 0.9));
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.rate >= this.capacity) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(key);
    }
  }
}

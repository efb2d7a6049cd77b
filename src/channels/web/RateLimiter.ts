export interface RateLimiterOptions {
  /** Requests allowed in a burst, and per `windowSeconds` on average. */
  requests: number;
  windowSeconds: number;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: () => number;
  /** Buckets kept before full ones are forgotten. Defaults to 10000. */
  maxKeys?: number;
}

/** `ok`, or how many whole seconds until one more request would be allowed (for `Retry-After`). */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (an address, a conversation): `requests` tokens, refilled evenly over
 * `windowSeconds`; each request takes one. Kept in memory: one server process.
 */
export class RateLimiter {
  private readonly capacity: number;
  /** Tokens per millisecond. */
  private readonly rate: number;
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    this.capacity = options.requests;
    this.rate = options.requests / (options.windowSeconds * 1000);
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.forgetFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate / 1000)) };
  }

  /** A full bucket is the same as no bucket: dropping those bounds memory without letting anyone through sooner. */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.rate >= this.capacity) this.buckets.delete(key);
    }
  }
}

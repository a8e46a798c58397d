/**
 * A token-bucket rate limiter: pure, in memory, and driven by the clock the caller passes in,
 * so tests advance time by hand. Each key (a client address, an email) has a bucket of `limit`
 * tokens that refills continuously at `limit` per `windowMs`; a request takes one token.
 *
 * Worked numbers: limit 5 per 60 s refills one token every 12 s. Five requests at t=0 empty the
 * bucket; a sixth at t=3 s is refused with retryAfterSeconds = ceil((12 - 3) s) = 9; at t=12 s
 * one request passes again. A burst never exceeds `limit`, the long-run rate never exceeds
 * `limit / windowMs`.
 *
 * Memory is bounded by `maxKeys`: buckets are kept in least-recently-used order and the oldest
 * is dropped when a new key would exceed the bound (a dropped key starts again with a full
 * bucket, which can only make the limiter more lenient, never lock anyone out).
 */
export interface RateLimitOptions {
  /** Requests allowed in a burst, and per window in the long run. 0 disables the limiter. */
  limit: number;
  windowMs: number;
  /** Most keys remembered at once. Default 100,000 (~10 MB). */
  maxKeys?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: seconds until one token is back (at least 1). 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!Number.isFinite(options.limit) || options.limit < 0)
      throw new RangeError(`limit must be >= 0, got ${options.limit}`);
    if (!Number.isFinite(options.windowMs) || options.windowMs <= 0) {
      throw new RangeError(`windowMs must be > 0, got ${options.windowMs}`);
    }
    this.perMs = options.limit / options.windowMs;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  /** Number of keys currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket at time `now` (milliseconds). */
  take(key: string, now: number): RateLimitDecision {
    return this.decide(key, now, true);
  }

  /** What `take` would answer at `now`, without taking a token or touching the key's age. */
  peek(key: string, now: number): RateLimitDecision {
    return this.decide(key, now, false);
  }

  private decide(key: string, now: number, charge: boolean): RateLimitDecision {
    const { limit } = this.options;
    if (limit === 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 };
    const previous = this.buckets.get(key);
    // A clock that steps backwards refills nothing rather than draining the bucket.
    const elapsed = previous ? Math.max(0, now - previous.updatedAt) : 0;
    const tokens = previous ? Math.min(limit, previous.tokens + elapsed * this.perMs) : limit;
    if (!charge) {
      if (tokens >= 1) return { allowed: true, remaining: Math.floor(tokens - 1), retryAfterSeconds: 0 };
      return { allowed: false, remaining: 0, retryAfterSeconds: this.retryAfter(tokens) };
    }
    const bucket: Bucket = { tokens, updatedAt: previous ? Math.max(now, previous.updatedAt) : now };
    // Re-inserting moves the key to the end: the Map's order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (tokens >= 1) {
      bucket.tokens = tokens - 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    return { allowed: false, remaining: 0, retryAfterSeconds: this.retryAfter(tokens) };
  }

  private retryAfter(tokens: number): number {
    const waitMs = (1 - tokens) / this.perMs;
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  /** Forgets a key, e.g. an email after a successful login. */
  reset(key: string): void {
    this.buckets.delete(key);
  }
}

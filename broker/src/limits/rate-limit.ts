interface TokenBucketOptions {
  /** Tokens a key may spend in a burst, and per refill period. */
  capacity: number;
  /** Time in which an empty bucket refills completely. */
  refillMs: number;
  /** Keys remembered at most; full (idle) buckets go first, then the least recently used. */
  maxKeys: number;
}

/**
 * Token bucket per key (a remote address): `capacity` attempts in a burst, refilled continuously at
 * capacity/refillMs. A key that is not in the map has a full bucket, so forgetting an idle key changes
 * nothing and the map stays bounded. Pure; `now` is a monotonic clock.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly opts: TokenBucketOptions,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `key`; false (and nothing taken) when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const tokens = this.level(key, now);
    if (tokens < 1) return false;
    this.buckets.delete(key); // re-insert: most recently used keys live at the end
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    this.evict(now);
    return true;
  }

  /** Tokens `key` has now (fractional). */
  level(key: string, now = this.now()): number {
    const b = this.buckets.get(key);
    if (!b) return this.opts.capacity;
    const refilled = b.tokens + ((now - b.at) * this.opts.capacity) / this.opts.refillMs;
    return Math.min(this.opts.capacity, refilled);
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    if (this.buckets.size <= this.opts.maxKeys) return;
    for (const key of [...this.buckets.keys()]) {
      if (this.buckets.size <= this.opts.maxKeys) return;
      if (this.level(key, now) >= this.opts.capacity) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.opts.maxKeys) return;
      this.buckets.delete(key);
    }
  }
}

import { SlidingWindowCounter } from './sliding-window.ts';

interface LockoutOptions {
  /** Failed logins within `windowMs` that lock the key. */
  maxFailures: number;
  windowMs: number;
  /** How long a locked key stays locked. */
  lockMs: number;
  /** Keys remembered at most, failures and locks each; the least recently touched are forgotten first. */
  maxKeys: number;
}

/**
 * Failed-login lockout for one kind of key (a username, or a remote address). After `maxFailures`
 * failures within `windowMs`, the key is locked for `lockMs`: the broker refuses its attempts without
 * looking at the password, so guessing costs the box no scrypt work. Pure; `now` is a monotonic clock.
 */
export class Lockout {
  private readonly failures: SlidingWindowCounter;
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    private readonly opts: LockoutOptions,
    private readonly now: () => number,
  ) {
    this.failures = new SlidingWindowCounter({
      windowMs: opts.windowMs,
      maxHits: opts.maxFailures,
      maxKeys: opts.maxKeys,
    });
  }

  /** Milliseconds until `key` may try again; 0 when it is not locked. */
  lockedFor(key: string): number {
    const until = this.lockedUntil.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.lockedUntil.delete(key);
    return 0;
  }

  /** Records a failed login; true when this failure locked the key. */
  fail(key: string): boolean {
    if (this.lockedFor(key) > 0) return false;
    const now = this.now();
    if (this.failures.hit(key, now) < this.opts.maxFailures) return false;
    // a fresh window after the lock: the next lock needs maxFailures new failures
    this.failures.clear(key);
    this.lockedUntil.delete(key);
    this.lockedUntil.set(key, now + this.opts.lockMs);
    this.evictLocks(now);
    return true;
  }

  /** A successful login forgets earlier failures of the key (used for usernames, never for addresses). */
  succeed(key: string): void {
    this.failures.clear(key);
  }

  /** Failure count of `key` within the window, for tests and logs. */
  failuresOf(key: string): number {
    return this.failures.count(key, this.now());
  }

  get size(): { failing: number; locked: number } {
    return { failing: this.failures.size, locked: this.lockedUntil.size };
  }

  private evictLocks(now: number): void {
    if (this.lockedUntil.size <= this.opts.maxKeys) return;
    for (const [key, until] of this.lockedUntil) if (until <= now) this.lockedUntil.delete(key);
    // still too many live locks: forget the oldest ones (they were set first, so they expire first)
    for (const key of this.lockedUntil.keys()) {
      if (this.lockedUntil.size <= this.opts.maxKeys) return;
      this.lockedUntil.delete(key);
    }
  }
}

import type { Rng } from './prng.ts';

/** Exponential reconnect back-off with full jitter, 1 s doubling to 60 s [FWP-2.2]: no reconnect storms. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly rng: Rng,
    private readonly baseMs = 1000,
    private readonly maxMs = 60_000,
  ) {}

  next(): number {
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    return Math.round(cap / 2 + (this.rng() * cap) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Counts events per key within a sliding time window. Memory is bounded twice: at most `maxHits`
 * timestamps per key (older ones are dropped, the count saturates there) and at most `maxKeys` keys
 * (the least recently touched key is forgotten first), so an attacker cycling through usernames or
 * addresses cannot grow it. Pure: time comes from the caller.
 */
export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly opts: { windowMs: number; maxHits: number; maxKeys: number }) {}

  /** Records one event for `key` at `now`; returns the number of events within the window, itself included. */
  hit(key: string, now: number): number {
    const times = this.recent(key, now) ?? [];
    times.push(now);
    if (times.length > this.opts.maxHits) times.splice(0, times.length - this.opts.maxHits);
    // delete + set moves the key to the end of the Map's order, which makes the first key the least recently used
    this.hits.delete(key);
    this.hits.set(key, times);
    this.evict(now);
    return times.length;
  }

  /** Events for `key` within the window ending at `now`. */
  count(key: string, now: number): number {
    return this.recent(key, now)?.length ?? 0;
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  get size(): number {
    return this.hits.size;
  }

  private recent(key: string, now: number): number[] | undefined {
    const times = this.hits.get(key);
    if (!times) return undefined;
    const from = now - this.opts.windowMs;
    const firstKept = times.findIndex((t) => t > from);
    if (firstKept === -1) {
      this.hits.delete(key);
      return undefined;
    }
    if (firstKept > 0) times.splice(0, firstKept);
    return times;
  }

  private evict(now: number): void {
    if (this.hits.size <= this.opts.maxKeys) return;
    // first drop keys whose events have all left the window, then the least recently touched ones
    for (const key of [...this.hits.keys()]) {
      if (this.hits.size <= this.opts.maxKeys) return;
      this.recent(key, now);
    }
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.opts.maxKeys) return;
      this.hits.delete(key);
    }
  }
}

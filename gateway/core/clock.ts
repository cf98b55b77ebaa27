/**
 * Injected time, so tests are deterministic. `monotonic` is for timeouts: it never jumps with the wall
 * clock. `every` runs periodic work on this clock's time: real intervals on the system clock, and on a
 * test's ManualClock exactly when the test moves time, so no test waits for a real second to pass.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  /** Calls `fn` every `ms` of monotonic time until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    // periodic housekeeping never keeps a finished process alive
    t.unref();
    return () => clearInterval(t);
  },
};

interface ManualTimer {
  due: number;
  ms: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock tests move by hand; periodic work registered with `every` runs when `advance` passes its time. */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  private readonly timers = new Set<ManualTimer>();

  constructor(start = Date.UTC(2026, 10, 22, 2, 0, 0)) {
    this.wall = start;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  every(ms: number, fn: () => void): () => void {
    if (!(ms > 0)) throw new Error('every: the period must be positive');
    const t: ManualTimer = { due: this.mono + ms, ms, fn, cancelled: false };
    this.timers.add(t);
    return () => {
      t.cancelled = true;
      this.timers.delete(t);
    };
  }

  /**
   * Moves both clocks, then runs each periodic call that fell due, once, as a real interval does after
   * the event loop was busy for that long (Node never replays the missed ones).
   */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
    const due = [...this.timers].filter((t) => t.due <= this.mono).sort((a, b) => a.due - b.due);
    for (const t of due) {
      if (t.cancelled) continue;
      t.due = this.mono + t.ms;
      t.fn();
    }
  }

  /** Only the wall clock moves (a day passes for dates and expiries, not for timeouts, or NTP corrects the clock). */
  advanceWall(ms: number): void {
    this.wall += ms;
  }
}

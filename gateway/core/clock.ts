/** Injected time, so tests are deterministic. `monotonic` is for timeouts: it never jumps with the wall clock. */
export interface Clock {
  now(): number;
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  constructor(start = Date.UTC(2026, 10, 22, 2, 0, 0)) {
    this.wall = start;
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** Only the wall clock moves (a day passes for dates and expiries, not for timeouts, or NTP corrects the clock). */
  advanceWall(ms: number): void {
    this.wall += ms;
  }
}

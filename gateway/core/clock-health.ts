import type { Clock } from './clock.ts';

interface ClockStatus {
  /** ok: no jump and within tolerance of the cloud's time; unsynced: no cloud time seen yet. */
  state: 'ok' | 'unsynced' | 'skewed' | 'jumped' | 'behind';
  /** Cloud time minus local wall time at the last hint (ms). */
  offsetMs: number | null;
  jumps: number;
  lastJumpAt: number | null;
}

/**
 * Whether the box's wall clock can be trusted. A box without a real-time clock may boot in 1970 or
 * jump when NTP catches up: the wall clock is compared with the monotonic one at every tick (a jump is
 * a difference beyond `jumpMs`), and with the time hints in the cloud's documents (a skew beyond
 * `skewMs`). Timeouts never use the wall clock; expiries and hotlist age do, so they ask here first.
 */
export class ClockHealth {
  private lastWall: number;
  private lastMono: number;
  private offsetMs: number | null = null;
  private jumps = 0;
  private lastJumpAt: number | null = null;
  private lastJumpMono = -Infinity;

  /**
   * Started with the wall clock behind the last time it showed before
   * (a box without RTC rebooted): until the cloud says otherwise.
   */
  private behind: boolean;

  constructor(
    private readonly clock: Clock,
    private readonly opts: { jumpMs: number; skewMs: number; distrustAfterJumpMs: number } = {
      jumpMs: 2000,
      skewMs: 5 * 60_000,
      distrustAfterJumpMs: 10 * 60_000,
    },
    /** The latest wall time this box saw before it started (kept in the database). */
    lastKnownWall?: number,
  ) {
    this.lastWall = clock.now();
    this.lastMono = clock.monotonic();
    this.behind = lastKnownWall !== undefined && this.lastWall < lastKnownWall - opts.jumpMs;
  }

  /** The wall time to keep for the next start (only ever forward while the clock is trusted). */
  mark(): number | undefined {
    return this.trusted() ? this.clock.now() : undefined;
  }

  /** Called every second: a wall clock that moved differently from the monotonic one jumped. */
  tick(): void {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    const drift = wall - this.lastWall - (mono - this.lastMono);
    if (Math.abs(drift) > this.opts.jumpMs) {
      this.jumps += 1;
      this.lastJumpAt = wall;
      this.lastJumpMono = mono;
      // the cloud offset measured before the jump no longer holds
      if (this.offsetMs !== null) this.offsetMs -= drift;
    }
    this.lastWall = wall;
    this.lastMono = mono;
  }

  /** A time the cloud stated (a document's issue time): how far our wall clock is from it. */
  hint(cloudMs: number): void {
    this.offsetMs = cloudMs - this.clock.now();
    if (this.offsetMs <= this.opts.skewMs) this.behind = false;
  }

  status(): ClockStatus {
    const recentJump = this.clock.monotonic() - this.lastJumpMono < this.opts.distrustAfterJumpMs;
    // only a clock behind the cloud's is dangerous (an old hotlist looks fresh); one ahead only makes it stricter
    const state = recentJump
      ? 'jumped'
      : this.behind
        ? 'behind'
        : this.offsetMs === null
          ? 'unsynced'
          : this.offsetMs > this.opts.skewMs
            ? 'skewed'
            : 'ok';
    return { state, offsetMs: this.offsetMs, jumps: this.jumps, lastJumpAt: this.lastJumpAt };
  }

  /** Trusted for expiries and ages: no recent jump, and not far from the cloud's time. */
  trusted(): boolean {
    const s = this.status().state;
    return s === 'ok' || s === 'unsynced';
  }
}

/** Milliseconds of device work (connections, subscriptions, uplinks) per event-loop turn; see TurnBudget. */
export const TURN_BUDGET_MS = 10;

/**
 * Spreads a burst of work over event-loop turns. When a thousand devices reconnect after a power cut,
 * one poll of the loop finds hundreds of CONNECTs, SUBSCRIBEs and births ready, and handling them all in
 * that turn blocked the loop for 80–150 ms: every redemption waiting meanwhile waited as long. Work
 * passed to `run` goes ahead at once while the current turn has used less than `budgetMs` (wall time
 * since the first job of the turn, which counts whatever ran between jobs too); past it, the job waits
 * for a later turn, in arrival order, where timers and other sockets get their share first.
 *
 * Time comes from the injected monotonic clock: a test's manual clock never moves within a turn, so
 * nothing is deferred there and the tests see the broker as before.
 */
export class TurnBudget {
  private turnStartedAt: number | undefined;
  private readonly waiting: (() => void)[] = [];
  private draining = false;
  /** Jobs that waited for a later turn, since start. */
  deferred = 0;

  constructor(
    private readonly budgetMs: number,
    private readonly now: () => number,
  ) {}

  run(job: () => void): void {
    if (this.waiting.length === 0 && this.withinTurn()) return job();
    this.deferred += 1;
    this.waiting.push(job);
    this.drainLater();
  }

  private withinTurn(): boolean {
    const t = this.now();
    if (this.turnStartedAt === undefined) {
      this.turnStartedAt = t;
      // the turn ends when the loop reaches its check phase; a job after that starts a new one
      setImmediate(() => {
        this.turnStartedAt = undefined;
      });
      return true;
    }
    return t - this.turnStartedAt < this.budgetMs;
  }

  /**
   * An immediate queued from the poll phase runs in the same turn's check phase, one queued from the
   * check phase in the next turn: the second hop is what lets timers and sockets in between.
   */
  private drainLater(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => setImmediate(() => this.drain()));
  }

  private drain(): void {
    const started = this.now();
    this.turnStartedAt = started;
    try {
      // at least one job a turn, however the clock moved (a pause between two readings): always progress
      do this.waiting.shift()?.();
      while (this.waiting.length > 0 && this.now() - started < this.budgetMs);
    } finally {
      // what comes after this check phase is a new turn
      this.turnStartedAt = undefined;
      this.draining = false;
      if (this.waiting.length > 0) this.drainLater();
    }
  }
}

import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from './db.ts';

/** Timers, injectable so tests decide when a batch window closes instead of sleeping. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const OptionsSchema = z.strictObject({
  // 0 is allowed (the config schema allows it) and means "close at the next macrotask", never "wait forever".
  maxWaitMs: z.number().min(0).max(60_000).default(2),
  maxBatch: z.number().int().min(1).max(100_000).default(256),
});

export interface GroupCommitOptions {
  maxWaitMs?: number;
  maxBatch?: number;
  scheduler?: Scheduler;
  clock?: Pick<Clock, 'monotonic'>;
  log?: Logger;
}

export interface GroupCommitStats {
  /** Batches whose COMMIT returned. */
  batches: number;
  /** Units written in those batches (including units that threw and were rolled back alone). */
  units: number;
  meanBatch: number;
  maxBatch: number;
  /** Duration of the last COMMIT alone: with synchronous=FULL this is the fsync cost. */
  lastCommitMs: number;
  /** Duration of the last batch: every unit's work plus the COMMIT. */
  lastBatchMs: number;
  failedBatches: number;
}

export type GroupCommitErrorCode = 'NOT_STARTED' | 'STOPPED' | 'COMMIT_FAILED' | 'BATCH_ROLLED_BACK';

export class GroupCommitError extends Error {
  readonly code: GroupCommitErrorCode;
  constructor(code: GroupCommitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GroupCommitError';
    this.code = code;
  }
}

interface Unit {
  work: (db: Db) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit, the one writer of the process. Units of work queue; a batch opens when the first unit
 * arrives and closes after `maxWaitMs` or at `maxBatch` units. The batch runs in one IMMEDIATE transaction
 * (the write lock is taken up front, so no unit meets SQLITE_BUSY half-way), each unit in its own savepoint
 * so a unit that throws rolls back alone. Every promise settles only after COMMIT returned: with
 * synchronous=FULL that is the durability point, so a device hears "approved" only for what survives a
 * power cut, and one fsync serves the whole batch.
 *
 * Units must be synchronous and must not run BEGIN/COMMIT/ROLLBACK themselves.
 */
export class GroupCommitter {
  private readonly maxWaitMs: number;
  private readonly maxBatch: number;
  private readonly scheduler: Scheduler;
  private readonly clock: Pick<Clock, 'monotonic'>;
  private readonly log: Logger | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private queue: Unit[] = [];
  private timer: { handle: unknown } | undefined;
  private writing = false;
  private readonly s: GroupCommitStats = { batches: 0, units: 0, meanBatch: 0, maxBatch: 0, lastCommitMs: 0, lastBatchMs: 0, failedBatches: 0 };

  constructor(
    private readonly db: Db,
    opts: GroupCommitOptions = {},
  ) {
    const o = OptionsSchema.parse({ maxWaitMs: opts.maxWaitMs, maxBatch: opts.maxBatch });
    this.maxWaitMs = o.maxWaitMs;
    this.maxBatch = o.maxBatch;
    this.scheduler = opts.scheduler ?? realScheduler;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
  }

  start(): void {
    if (this.state === 'stopped') throw new GroupCommitError('STOPPED', 'the group committer was stopped; create a new one');
    this.state = 'running';
  }

  /** Queues `work`; resolves with its result once its batch is durably committed, rejects if it threw or the batch failed. */
  submit<T>(work: (db: Db) => T): Promise<T> {
    if (this.state !== 'running') {
      const code = this.state === 'stopped' ? 'STOPPED' : 'NOT_STARTED';
      return Promise.reject(new GroupCommitError(code, code === 'STOPPED' ? 'the group committer is stopped: no new work accepted' : 'the group committer is not started'));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // While a batch is being written (a unit submitting from inside its work), the running flush loop takes it.
      if (this.writing) return;
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = { handle: this.scheduler.setTimeout(() => this.onTimer(), this.maxWaitMs) };
    });
  }

  /** Writes everything queued now, in batches of at most `maxBatch`. Synchronous; promises settle right after. */
  flush(): void {
    if (this.writing) return;
    this.cancelTimer();
    this.writing = true;
    try {
      while (this.queue.length > 0) this.writeBatch(this.queue.splice(0, this.maxBatch));
    } finally {
      this.writing = false;
    }
  }

  /** Writes what is queued and refuses new work from now on. */
  stop(): void {
    this.state = 'stopped';
    this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  get stats(): Readonly<GroupCommitStats> {
    return { ...this.s };
  }

  private onTimer(): void {
    this.timer = undefined;
    this.flush();
  }

  private cancelTimer(): void {
    if (this.timer) this.scheduler.clearTimeout(this.timer.handle);
    this.timer = undefined;
  }

  private writeBatch(batch: Unit[]): void {
    const outcomes: Outcome[] = [];
    const started = this.clock.monotonic();
    let workDone = started;
    let lostAt = -1;
    try {
      this.db
        .transaction(() => {
          for (const [i, u] of batch.entries()) {
            try {
              // Nested better-sqlite3 transactions are savepoints: a throwing unit is rolled back alone.
              outcomes.push({ ok: true, value: this.db.transaction(u.work)(this.db) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
            // SQLITE_FULL/IOERR/NOMEM/BUSY can roll back the whole transaction inside a unit. Running on would put
            // the next units in autocommit mode (committed, then reported failed): stop here instead.
            if (!this.db.inTransaction) {
              lostAt = i;
              throw new GroupCommitError('BATCH_ROLLED_BACK', 'SQLite rolled back the batch transaction inside a unit', { cause: outcomes[i] });
            }
          }
          workDone = this.clock.monotonic();
        })
        .immediate();
    } catch (error) {
      this.failBatch(batch, outcomes, lostAt, error);
      return;
    }
    const finished = this.clock.monotonic();
    this.s.batches += 1;
    this.s.units += batch.length;
    this.s.maxBatch = Math.max(this.s.maxBatch, batch.length);
    this.s.meanBatch = this.s.units / this.s.batches;
    this.s.lastCommitMs = finished - workDone;
    this.s.lastBatchMs = finished - started;
    batch.forEach((u, i) => settle(u, outcomes[i]));
  }

  private failBatch(batch: Unit[], outcomes: Outcome[], lostAt: number, error: unknown): void {
    this.s.failedBatches += 1;
    if (lostAt >= 0) {
      // Units after the one that lost the transaction never ran: put them back, in order, for the next batch.
      this.queue.unshift(...batch.slice(lostAt + 1));
      const ran = batch.slice(0, lostAt + 1);
      this.log?.error({ err: error, units: ran.length }, 'group commit: batch rolled back by SQLite inside a unit');
      ran.forEach((u, i) => {
        const own = outcomes[i];
        // The unit that hit the error keeps its own error; the ones before it were rolled back with the batch.
        u.reject(i === lostAt && own && !own.ok ? own.error : new GroupCommitError('BATCH_ROLLED_BACK', 'the batch was rolled back; nothing of this unit was written', { cause: error }));
      });
      return;
    }
    // COMMIT (or BEGIN IMMEDIATE) failed: better-sqlite3 rolled the transaction back, so no unit was written.
    this.log?.error({ err: error, units: batch.length }, 'group commit: batch transaction failed, every unit of the batch is rejected');
    batch.forEach((u, i) => {
      const own = outcomes[i];
      u.reject(own && !own.ok ? own.error : new GroupCommitError('COMMIT_FAILED', 'the batch transaction failed at BEGIN or COMMIT; nothing of this unit was written', { cause: error }));
    });
  }
}

function settle(u: Unit, o: Outcome | undefined): void {
  if (o?.ok) u.resolve(o.value);
  else u.reject(o ? o.error : new Error('group commit: unit has no outcome'));
}

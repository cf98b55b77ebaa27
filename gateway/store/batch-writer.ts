import { BUSY_TIMEOUT_MS, type Db } from './db.ts';
import type { DurabilityPort } from './wal-sync.ts';

interface Unit {
  work: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * How long one batch may keep the event loop: past it the batch commits with the units that ran, and
 * the rest follow in the next turn, after the sockets had theirs (a reconnect storm queues thousands of
 * births and health records at once; written in one go they would block every device for a second).
 */
const BATCH_BUDGET_MS = 10;

/** While another connection holds the write lock, a batch tries again this often (the event loop goes on). */
const LOCK_RETRY_MS = 5;

interface BatchWriterStats {
  batches: number;
  units: number;
  maxBatch: number;
  lastCommitMs: number;
}

/**
 * Group commit: the one writer of the process. Units of work queue; the writer runs the queued units
 * together in one transaction, each in its own savepoint (a unit that throws rolls back alone), and
 * resolves every unit only once its COMMIT is durable, so "approved" is said only for what survives a
 * power cut. Without `durable`, the connection's synchronous=FULL makes COMMIT itself the durability
 * point (the event loop waits for the fsync); with it (synchronous=NORMAL), COMMIT returns at once and
 * `durable` syncs the log on another thread while the next batch runs: one fsync serves every batch
 * committed before it started, and the event loop never waits on the disk.
 */
/** Work submitted while the gateway stops, after its writer closed: nothing of it was written. */
export class WriterStoppedError extends Error {
  readonly code = 'WRITER_STOPPED';
  constructor() {
    super('the writer is stopped');
    this.name = 'WriterStoppedError';
  }
}

export class BatchWriter {
  private queue: Unit[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;
  private flushing = false;
  /** A sync of the log failed: what it covered may not be on disk, so nothing more is written or approved. */
  private failed: unknown;
  /** Batches committed whose sync has not finished yet. */
  private readonly syncing = new Set<Promise<void>>();
  readonly stats: BatchWriterStats = { batches: 0, units: 0, maxBatch: 0, lastCommitMs: 0 };
  /**
   * A batch written in its own turn takes the write lock without waiting: the connection's busy_timeout
   * would stop the event loop (every device, every timer) for as long as another process (`linli load`,
   * `linli provision`) holds the lock. It tries again every LOCK_RETRY_MS instead, up to the same limit.
   */
  private readonly lockWait;
  /** Since when the queued units have found the database locked by another process. */
  private lockedSince: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: {
      maxWaitMs: number;
      maxBatch: number;
      /** BATCH_BUDGET_MS unless a test says otherwise, measured on `now` (performance.now by default). */
      budgetMs?: number;
      now?: () => number;
      /** How long units wait for another process's write lock before they fail; BUSY_TIMEOUT_MS by default. */
      lockWaitMs?: number;
      /** Told after each committed batch (metrics): its units and how long its transaction took. */
      onBatch?: (size: number, commitMs: number) => void;
    } = { maxWaitMs: 2, maxBatch: 256 },
    private readonly durable?: DurabilityPort,
  ) {
    this.lockWait = {
      none: db.prepare('PRAGMA busy_timeout = 0'),
      usual: db.prepare(`PRAGMA busy_timeout = ${opts.lockWaitMs ?? BUSY_TIMEOUT_MS}`),
    };
  }

  submit<T>(work: () => T): Promise<T> {
    if (this.stopped) return Promise.reject(new WriterStoppedError());
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      // a unit that submits more work runs inside a batch: never flush from there, or that work would
      // resolve before the enclosing COMMIT
      if (this.queue.length >= this.opts.maxBatch && !this.flushing) this.write(Number.POSITIVE_INFINITY);
      // with the log synced on another thread a COMMIT costs no fsync on the event loop: the batch is
      // what arrived in this turn of the loop (under load, many devices' requests), written right after it.
      // An fsync inside COMMIT is worth waiting maxWaitMs for, to share it among more units.
      else if (this.durable) this.immediate ??= setImmediate(() => this.write(1));
      else this.timer ??= setTimeout(() => this.write(1), this.opts.maxWaitMs);
    });
  }

  /** Writes what is queued, then `work` in a transaction of its own, now; inside a batch it runs in it. */
  runNow<T>(work: () => T): T {
    if (this.stopped) throw new WriterStoppedError();
    if (!this.flushing) this.flush();
    return this.db.transaction(work)();
  }

  /** Writes everything queued now, in one transaction per batch (waiting for the lock, as its callers need). */
  flush(): void {
    this.write(Number.POSITIVE_INFINITY, true);
  }

  /** Writes up to `batches` batches of what is queued; what is left is written in the loop's next turn. */
  private write(batches: number, waitForLock = false): void {
    if (this.flushing) return;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.flushing = true;
    try {
      for (let n = 0; n < batches && this.queue.length > 0; n++) {
        if (!this.writeBatch(this.queue.splice(0, this.opts.maxBatch), waitForLock)) {
          // locked by another process: try again shortly, the loop serving everything else meanwhile
          this.timer = setTimeout(() => this.write(1), LOCK_RETRY_MS);
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
    if (this.queue.length > 0 && !this.stopped) this.immediate ??= setImmediate(() => this.write(1));
  }

  /** Writes one batch; false: another process holds the write lock, and the units are queued again. */
  private writeBatch(queued: Unit[], waitForLock: boolean): boolean {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const now = this.opts.now ?? (() => performance.now());
    const budget = this.opts.budgetMs ?? BATCH_BUDGET_MS;
    const started = now();
    let lostAt = -1;
    let batch = queued;
    try {
      if (!waitForLock) this.lockWait.none.get();
      // IMMEDIATE: take the write lock up front, so no unit meets SQLITE_BUSY half-way through a batch
      this.db
        .transaction(() => {
          for (const [i, u] of queued.entries()) {
            if (i > 0 && now() - started > budget) {
              // over its time: this batch ends here, the rest go back to the front of the queue, in order
              batch = queued.slice(0, i);
              this.queue.unshift(...queued.slice(i));
              break;
            }
            try {
              // a nested better-sqlite3 transaction is a savepoint: a failing unit rolls back only itself
              outcomes.push({ ok: true, value: this.db.transaction(u.work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
            // SQLITE_FULL, IOERR or NOMEM can roll back the whole transaction from inside a unit; the
            // units after it would then run in autocommit and really commit: stop the batch instead
            if (!this.db.inTransaction) {
              lostAt = i;
              throw new Error('the batch transaction was rolled back by SQLite');
            }
          }
        })
        .immediate();
    } catch (error) {
      if (!waitForLock && outcomes.length === 0 && (error as { code?: unknown }).code === 'SQLITE_BUSY') {
        this.lockedSince ??= started;
        if (started - this.lockedSince < (this.opts.lockWaitMs ?? BUSY_TIMEOUT_MS)) {
          this.queue.unshift(...queued);
          return false;
        }
        // as long as a statement would have waited: these units fail, as they did then
        this.lockedSince = undefined;
        for (const u of queued) u.reject(error);
        return true;
      }
      if (lostAt >= 0) {
        // what ran was rolled back; what did not run yet goes back to the front of the queue
        for (const u of batch.slice(0, lostAt + 1)) u.reject(outcomeError(outcomes[lostAt]) ?? error);
        this.queue.unshift(...batch.slice(lostAt + 1));
        return true;
      }
      for (const u of batch) u.reject(error);
      return true;
    } finally {
      if (!waitForLock && this.db.open) this.lockWait.usual.get();
    }
    this.lockedSince = undefined;
    this.stats.batches += 1;
    this.stats.units += batch.length;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
    this.stats.lastCommitMs = now() - started;
    this.opts.onBatch?.(batch.length, this.stats.lastCommitMs);
    const settle = () =>
      batch.forEach((u, i) => {
        const o = outcomes[i];
        if (o?.ok) u.resolve(o.value);
        else u.reject(o?.error);
      });
    if (!this.durable) {
      settle();
      return true;
    }
    const synced = this.durable().then(settle, (err: unknown) => {
      this.failed ??= new Error(`the database log could not be synced to disk: ${String(err)}`, { cause: err });
      for (const u of batch) u.reject(this.failed);
    });
    this.syncing.add(synced);
    void synced.finally(() => this.syncing.delete(synced));
    return true;
  }

  /** Resolves when every committed batch is durable and its units are settled. */
  async settled(): Promise<void> {
    while (this.syncing.size > 0) await Promise.all(this.syncing);
  }

  /** Writes what is queued and refuses new work. */
  stop(): void {
    this.flush();
    this.stopped = true;
  }
}

function outcomeError(o: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined): unknown {
  return o && !o.ok ? o.error : undefined;
}

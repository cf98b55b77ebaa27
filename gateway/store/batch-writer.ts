import type { Db } from './db.ts';

interface Unit {
  work: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface BatchWriterStats {
  batches: number;
  units: number;
  maxBatch: number;
  lastCommitMs: number;
}

/**
 * Group commit: the one writer of the process. Units of work queue; the writer runs the queued units
 * together in one transaction, each in its own savepoint (a unit that throws rolls back alone), and
 * resolves every unit only after COMMIT returned — with synchronous=FULL that is the durability point,
 * so "approved" is said only for what survives a power cut. One fsync then serves a whole batch.
 */
export class BatchWriter {
  private queue: Unit[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly stats: BatchWriterStats = { batches: 0, units: 0, maxBatch: 0, lastCommitMs: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: { maxWaitMs: number; maxBatch: number } = { maxWaitMs: 2, maxBatch: 256 },
  ) {}

  submit<T>(work: () => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('the writer is stopped'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
    });
  }

  /** Writes what is queued now, in one transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      const started = performance.now();
      try {
        this.db.transaction(() => {
          for (const u of batch) {
            try {
              // a nested better-sqlite3 transaction is a savepoint: a failing unit rolls back only itself
              outcomes.push({ ok: true, value: this.db.transaction(u.work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })();
      } catch (error) {
        for (const u of batch) u.reject(error);
        continue;
      }
      this.stats.batches += 1;
      this.stats.units += batch.length;
      this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
      this.stats.lastCommitMs = performance.now() - started;
      batch.forEach((u, i) => {
        const o = outcomes[i];
        if (o?.ok) u.resolve(o.value);
        else u.reject(o?.error);
      });
    }
  }

  /** Writes what is queued and refuses new work. */
  stop(): void {
    this.flush();
    this.stopped = true;
  }
}

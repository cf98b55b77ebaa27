import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../gateway/store/db.ts';
import { GroupCommitError, GroupCommitter, type Scheduler } from '../../gateway/store/group-commit.ts';
import { tempDir } from '../support/tmp.ts';

/** Timers that fire only when the test says so: batch windows close deterministically, no sleeping. */
class ManualScheduler implements Scheduler {
  private readonly timers = new Map<number, () => void>();
  private next = 1;
  setTimeout(fn: () => void, _ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, fn);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get armed(): number {
    return this.timers.size;
  }
  fire(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const fn of due) fn();
  }
}

const SCHEMA = `
  CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL) STRICT;
  CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;
  CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED) STRICT;
`;

/** Settles-or-not probe, so a test can see that a promise is still pending. */
function track<T>(p: Promise<T>): { settled: () => boolean; p: Promise<T> } {
  let done = false;
  const q = p.finally(() => {
    done = true;
  });
  q.catch(() => undefined);
  return { settled: () => done, p: q };
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommitter', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let db: Db;
  let sched: ManualScheduler;
  let gc: GroupCommitter;
  const insert = (v: number) => (d: Db) => Number(d.prepare('INSERT INTO t (v) VALUES (?)').run(v).lastInsertRowid);
  const values = (d: Db = db) => d.prepare<[], { v: number }>('SELECT v FROM t ORDER BY id').all().map((r) => r.v);

  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'gc.db');
    db = openDatabase(file, { migrations: [{ version: 1, name: 'test', sql: SCHEMA }] });
    sched = new ManualScheduler();
    gc = new GroupCommitter(db, { maxBatch: 64, maxWaitMs: 2, scheduler: sched });
    gc.start();
  });
  afterEach(() => {
    if (db.open) db.close();
    tmp.cleanup();
  });

  it('lands many concurrent submits in few transactions, in submission order, visible to a second connection', async () => {
    const all = Promise.all(Array.from({ length: 200 }, (_, i) => gc.submit(insert(i))));
    // 64, 128 and 192 filled a batch each; the last 8 wait for the window to close.
    expect(gc.stats.batches).toBe(3);
    expect(gc.pending).toBe(8);
    expect(sched.armed).toBe(1);
    sched.fire();
    const ids = await all;
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(gc.stats).toMatchObject({ batches: 4, units: 200, maxBatch: 64, meanBatch: 50, failedBatches: 0 });
    const other = new Database(file, { readonly: true });
    expect(values(other)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    other.close();
  });

  it('settles a unit only after its COMMIT, and the row is then visible from another connection', async () => {
    const other = new Database(file, { readonly: true });
    const probe = track(gc.submit(insert(7)));
    await flushMicrotasks();
    expect(probe.settled()).toBe(false);
    expect(values(other)).toEqual([]);
    sched.fire();
    await expect(probe.p).resolves.toBe(1);
    expect(values(other)).toEqual([7]);
    other.close();
  });

  it('keeps the order of units from interleaved submitters within a batch', async () => {
    const order: number[] = [];
    const submitter = async (base: number) => {
      for (let k = 0; k < 3; k++) {
        const v = base + k;
        order.push(v);
        void gc.submit(insert(v));
        await Promise.resolve();
      }
    };
    await Promise.all([submitter(100), submitter(200), submitter(300)]);
    gc.flush();
    expect(gc.stats.batches).toBe(1);
    expect(values()).toEqual(order);
  });

  it('rolls back only the unit that throws and rejects only its promise', async () => {
    const a = gc.submit(insert(1));
    const b = gc.submit((d) => {
      insert(2)(d);
      throw new Error('refused');
    });
    const c = gc.submit(insert(3));
    const asyncUnit = gc.submit((async (d: Db) => insert(4)(d)) as unknown as (d: Db) => number);
    gc.flush();
    await expect(a).resolves.toBe(1);
    await expect(b).rejects.toThrow('refused');
    await expect(c).resolves.toBeTypeOf('number');
    // an async unit would commit after its promise claims success: better-sqlite3 refuses it and undoes its writes
    await expect(asyncUnit).rejects.toThrow(/cannot return a promise/);
    expect(values()).toEqual([1, 3]);
    expect(gc.stats).toMatchObject({ batches: 1, units: 4 });
  });

  it('rejects every unit of a batch whose COMMIT fails (deferred foreign key), and writes none of them', async () => {
    const good = gc.submit(insert(1));
    const bad = gc.submit((d) => d.prepare('INSERT INTO child (id, parent_id) VALUES (1, 999)').run().changes);
    const good2 = gc.submit(insert(2));
    gc.flush();
    for (const p of [good, bad, good2]) {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GroupCommitError);
      expect((err as GroupCommitError).code).toBe('COMMIT_FAILED');
      expect(String((err as GroupCommitError).cause)).toMatch(/FOREIGN KEY/);
    }
    expect(values()).toEqual([]);
    expect(gc.stats).toMatchObject({ batches: 0, failedBatches: 1 });
    // the writer is still usable
    const next = gc.submit(insert(9));
    gc.flush();
    await expect(next).resolves.toBeTypeOf('number');
    expect(values()).toEqual([9]);
  });

  it('rejects every unit when the connection is gone at COMMIT time', async () => {
    const p = gc.submit(insert(1));
    db.close();
    gc.flush();
    await expect(p).rejects.toBeInstanceOf(GroupCommitError);
  });

  it('when SQLite rolls the whole batch back inside a unit (SQLITE_FULL), never commits later units behind its back', async () => {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const first = gc.submit(insert(1));
    const hog = gc.submit((d) => {
      const ins = d.prepare('INSERT INTO t (v) VALUES (?)');
      for (let i = 0; i < 50_000; i++) ins.run(i);
    });
    const last = gc.submit(insert(3));
    db.pragma(`max_page_count = ${pages + 2}`);
    gc.flush();
    const firstErr = await first.catch((e: unknown) => e);
    expect(firstErr).toBeInstanceOf(GroupCommitError);
    expect((firstErr as GroupCommitError).code).toBe('BATCH_ROLLED_BACK');
    await expect(hog).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    // the unit that had not run yet was requeued and committed on its own
    await expect(last).resolves.toBeTypeOf('number');
    expect(values()).toEqual([3]);
    expect(gc.stats).toMatchObject({ batches: 1, failedBatches: 1 });
  });

  it('queues units submitted while a batch is being written for the next batch', async () => {
    let inner: Promise<number> | undefined;
    const outer = gc.submit((d) => {
      inner = gc.submit(insert(2));
      return insert(1)(d);
    });
    gc.flush();
    await expect(outer).resolves.toBe(1);
    await expect(inner).resolves.toBe(2);
    expect(gc.stats).toMatchObject({ batches: 2, units: 2 });
  });

  it('stop() flushes what is queued and then refuses new work; nothing is accepted before start()', async () => {
    const queued = gc.submit(insert(5));
    gc.stop();
    await expect(queued).resolves.toBe(1);
    expect(sched.armed).toBe(0);
    await expect(gc.submit(insert(6))).rejects.toMatchObject({ code: 'STOPPED', message: expect.stringMatching(/stopped/) });
    expect(() => gc.start()).toThrow(/stopped/);
    const fresh = new GroupCommitter(db, { scheduler: sched });
    await expect(fresh.submit(insert(7))).rejects.toMatchObject({ code: 'NOT_STARTED' });
    expect(values()).toEqual([5]);
  });

  it('closes a batch on the real timer too (maxWaitMs 0 means the next macrotask, never "wait forever")', async () => {
    const real = new GroupCommitter(db, { maxWaitMs: 0 });
    real.start();
    await expect(Promise.all([real.submit(insert(1)), real.submit(insert(2))])).resolves.toEqual([1, 2]);
    expect(real.stats.batches).toBe(1);
    real.stop();
  });

  it('validates its options', () => {
    expect(() => new GroupCommitter(db, { maxBatch: 0 })).toThrow();
    expect(() => new GroupCommitter(db, { maxWaitMs: -1 })).toThrow();
  });
});

import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fstatSync, statSync } from 'node:fs';
import { BatchWriter } from '../../gateway/store/batch-writer.ts';
import { WalSync } from '../../gateway/store/wal-sync.ts';
import { openDatabase, type Db } from '../../gateway/store/db.ts';
import { tempDir } from '../support/tmp.ts';

const TABLE = [
  { version: 1, name: 't', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0)) STRICT' },
];

describe('BatchWriter (group commit)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    tmp = tempDir();
    db = openDatabase(join(tmp.dir, 'w.db'), { migrations: TABLE });
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  it(
    'commits many concurrent units in few transactions, ' + 'in submission order, visible to another connection',
    async () => {
      const w = new BatchWriter(db, { maxWaitMs: 5, maxBatch: 64 });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          w.submit(() => Number(db.prepare('INSERT INTO t (v) VALUES (?)').run(i).lastInsertRowid)),
        ),
      );
      expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(w.stats.units).toBe(200);
      expect(w.stats.batches).toBeLessThanOrEqual(8);
      expect(w.stats.maxBatch).toBe(64);
      const other = new Database(join(tmp.dir, 'w.db'), { readonly: true });
      expect(other.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 200 });
      other.close();
    },
  );

  it('a failing unit rolls back alone and rejects only its own promise', async () => {
    const w = new BatchWriter(db, { maxWaitMs: 5, maxBatch: 64 });
    const a = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (1)').run().changes);
    const bad = w.submit(() => {
      db.prepare('INSERT INTO t (v) VALUES (2)').run();
      db.prepare('INSERT INTO t (v) VALUES (-1)').run();
    });
    const c = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (3)').run().changes);
    await expect(bad).rejects.toThrow(/CHECK/);
    expect(await a).toBe(1);
    expect(await c).toBe(1);
    expect(db.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 1 }, { v: 3 }]);
    expect(w.stats.batches).toBe(1);
  });

  it('when the commit itself fails, every unit of the batch rejects', async () => {
    const w = new BatchWriter(db, { maxWaitMs: 5, maxBatch: 64 });
    const units = [w.submit(() => 1), w.submit(() => 2)];
    db.close(); // the database is gone before the batch runs
    for (const u of units) await expect(u).rejects.toThrow();
    db = openDatabase(join(tmp.dir, 'w.db'), { migrations: TABLE });
  });

  it('stop flushes what is queued and refuses new work', async () => {
    const w = new BatchWriter(db, { maxWaitMs: 1000, maxBatch: 64 });
    const p = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (7)').run().changes);
    w.stop();
    expect(await p).toBe(1);
    await expect(w.submit(() => 1)).rejects.toThrow(/stopped/);
  });

  it(
    'when SQLite rolls the whole batch back mid-way (disk full), ' +
      'no unit is reported wrongly: resolved ⇔ committed',
    async () => {
      const w = new BatchWriter(db, { maxWaitMs: 5, maxBatch: 64 });
      db.exec('CREATE TABLE blob (id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + 30}`);
      const tags = ['a', 'b', 'big', 'c', 'd'];
      const units = tags.map((tag) =>
        w.submit(() => {
          db.prepare('INSERT INTO blob (b) VALUES (?)').run(
            Buffer.alloc(tag === 'big' ? 1_000_000 : 100, tag.charCodeAt(0)),
          );
          return tag;
        }),
      );
      const settled = await Promise.allSettled(units);
      const present = new Set(
        (db.prepare('SELECT b FROM blob').all() as { b: Buffer }[]).map((r) => String.fromCharCode(r.b[0] ?? 0)),
      );
      settled.forEach((r, i) => {
        const tag = tags[i] ?? '';
        expect(r.status === 'fulfilled', `${tag}: ${r.status}`).toBe(present.has(tag[0] ?? ''));
      });
      expect(settled[2]?.status).toBe('rejected');
    },
  );
});

describe('BatchWriter with the log synced off the event loop', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    tmp = tempDir();
    db = openDatabase(join(tmp.dir, 'w.db'), { migrations: TABLE });
    db.pragma('synchronous = NORMAL');
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  /** A sync held open until the test lets it finish, as a slow SD card would. */
  function heldSyncs() {
    const pending: ((err: NodeJS.ErrnoException | null) => void)[] = [];
    const fds: number[] = [];
    const wal = new WalSync(join(tmp.dir, 'w.db-wal'), (fd, done) => {
      fds.push(fd);
      pending.push(done);
    });
    return { wal, pending, fds };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('settles a unit only after a sync that started after its COMMIT has finished', async () => {
    const s = heldSyncs();
    const w = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 64 }, s.wal.sync);
    const settled: string[] = [];
    const first = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (1)').run()).then(() => settled.push('first'));
    w.flush();
    expect(s.pending).toHaveLength(1); // the first batch's sync runs
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 }); // committed, not yet answered
    const second = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (2)').run()).then(() => settled.push('second'));
    const third = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (3)').run()).then(() => settled.push('third'));
    w.flush();
    await tick();
    expect(settled).toEqual([]);
    // committed while the first sync ran: they wait for the next one, which starts only now
    s.pending.shift()?.(null);
    await first;
    await tick();
    expect(settled).toEqual(['first']);
    expect(s.pending).toHaveLength(1);
    s.pending.shift()?.(null);
    await Promise.all([second, third]);
    expect(settled).toEqual(['first', 'second', 'third']);
    expect(s.fds).toHaveLength(2);
    w.stop();
    s.wal.close();
  });

  it('a failed sync rejects what it covered, and the writer refuses more work', async () => {
    const s = heldSyncs();
    const w = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 64 }, s.wal.sync);
    const unit = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (1)').run());
    w.flush();
    s.pending.shift()?.(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(unit).rejects.toThrow(/could not be synced to disk/);
    await expect(w.submit(() => 1)).rejects.toThrow(/could not be synced to disk/);
    s.wal.close();
  });

  it('syncs the log file SQLite writes to now, also after it was removed and created again', async () => {
    const s = heldSyncs();
    const w = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 64 }, s.wal.sync);
    const ino = () => statSync(join(tmp.dir, 'w.db-wal')).ino;
    const one = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (1)').run());
    w.flush();
    expect(fstatSync(s.fds[0] ?? -1).ino).toBe(ino());
    s.pending.shift()?.(null);
    await one;
    w.stop();
    // the last connection closing removes the log; the next one creates a new file
    db.close();
    db = openDatabase(join(tmp.dir, 'w.db'), { migrations: TABLE });
    db.pragma('synchronous = NORMAL');
    const w2 = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 64 }, s.wal.sync);
    const two = w2.submit(() => db.prepare('INSERT INTO t (v) VALUES (2)').run());
    w2.flush();
    expect(fstatSync(s.fds[1] ?? -1).ino).toBe(ino());
    s.pending.shift()?.(null);
    await two;
    w2.stop();
    s.wal.close();
  });
});

describe('BatchWriter keeps the event loop', () => {
  it('ends a batch past its time budget and writes the rest in the next turn, in order, each unit once', async () => {
    const tmp = tempDir();
    const db = openDatabase(join(tmp.dir, 'w.db'), { migrations: TABLE });
    let clock = 0;
    // every unit "takes" 4 ms on the writer's clock: a 10 ms budget fits three units a batch
    const w = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 256, budgetMs: 10, now: () => clock });
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const units = Array.from({ length: 10 }, (_, i) =>
      w.submit(() => {
        clock += 4;
        return Number(insert.run(i).lastInsertRowid);
      }),
    );
    expect(await Promise.all(units)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(w.stats.units).toBe(10);
    expect(w.stats.batches).toBe(4);
    expect(w.stats.maxBatch).toBe(3);
    expect((db.prepare('SELECT v FROM t ORDER BY id').all() as { v: number }[]).map((r) => r.v)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    w.stop();
    db.close();
    tmp.cleanup();
  });

  describe('while another process holds the write lock (linli load, provision)', () => {
    let tmp: ReturnType<typeof tempDir>;
    let db: Db;
    let other: Database.Database;
    beforeEach(() => {
      tmp = tempDir();
      db = openDatabase(join(tmp.dir, 'w.db'), { migrations: TABLE });
      other = new Database(join(tmp.dir, 'w.db'));
      other.exec('BEGIN IMMEDIATE'); // the CLI's transaction
    });
    afterEach(() => {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      db.close();
      tmp.cleanup();
    });
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 1));
    };

    it('waits without stopping the event loop, and writes everything in order once the lock is free', async () => {
      let clock = 0;
      const w = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 256, now: () => clock });
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      const done: number[] = [];
      const units = [1, 2, 3].map((v) =>
        w.submit(() => Number(insert.run(v).lastInsertRowid)).then((id) => done.push(id)),
      );
      // the loop goes on turn after turn (a busy_timeout would have held it for seconds): nothing written yet
      await turns(20);
      expect(done).toEqual([]);
      expect(w.stats.batches).toBe(0);
      // the lock is still the connection's usual wait for anyone else (a CLI command in this process)
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      other.exec('COMMIT');
      await Promise.all(units);
      expect(done).toEqual([1, 2, 3]);
      expect((db.prepare('SELECT v FROM t ORDER BY id').all() as { v: number }[]).map((r) => r.v)).toEqual([1, 2, 3]);
      w.stop();
    });

    it('units fail as a statement would have, once the lock was held for as long as it would have waited', async () => {
      let clock = 0;
      const w = new BatchWriter(db, { maxWaitMs: 0, maxBatch: 256, now: () => clock, lockWaitMs: 1000 });
      const unit = w.submit(() => db.prepare('INSERT INTO t (v) VALUES (1)').run().changes);
      const outcome = unit.then(
        () => 'written',
        (err: { code?: string }) => err.code,
      );
      await turns(5);
      clock = 999; // not yet
      await turns(5);
      clock = 1000;
      expect(await outcome).toBe('SQLITE_BUSY');
      // the writer goes on: with the lock free again, the next unit is written
      other.exec('ROLLBACK');
      expect(await w.submit(() => db.prepare('INSERT INTO t (v) VALUES (2)').run().changes)).toBe(1);
      w.stop();
    });
  });
});

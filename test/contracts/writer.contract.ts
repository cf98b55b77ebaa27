import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WriterPort } from '../../gateway/redemption/service/ports.ts';
import type { Db } from '../../gateway/store/db-type.ts';

/**
 * A fresh writer over a database holding `t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))`.
 * Units of work write through `db`; `committed()` reads through a second connection to the same file,
 * so it sees only what was really committed.
 */
export interface WriterSubject {
  writer: WriterPort;
  db: Db;
  committed(): number[];
  /** Writers with a lifecycle: writes what is queued, then refuses new work. */
  stop?: () => void;
  close(): void;
}

/**
 * What a writer guarantees beyond the common contract. The test fakes run each unit at once, in
 * the caller's stack, and do not all roll a failed unit back: they declare which clauses they keep.
 */
export interface WriterCapabilities {
  /** A unit that throws leaves none of its writes behind. */
  rollsBackFailedUnit: boolean;
  /** Work submitted from inside a unit runs after that unit has returned, never nested inside it. */
  queuesNestedWork: boolean;
  /** `stop()` exists: it writes what is queued and refuses what comes after. */
  stoppable: boolean;
}

const insert = (db: Db, v: number) => Number(db.prepare('INSERT INTO t (v) VALUES (?)').run(v).lastInsertRowid);

/** The contract of WriterPort (gateway/redemption/service/ports.ts): the single writer of the process. */
export function describeWriterContract(name: string, factory: () => WriterSubject, caps: WriterCapabilities): void {
  describe(`WriterPort contract: ${name}`, () => {
    let s: WriterSubject;
    beforeEach(() => {
      s = factory();
    });
    afterEach(() => s.close());

    it('submit resolves with what the unit of work returned', async () => {
      await expect(s.writer.submit(() => ({ id: insert(s.db, 5), note: 'x' }))).resolves.toEqual({ id: 1, note: 'x' });
    });

    it(
      'when submit resolves, the unit is committed: ' +
        'no transaction is open and a second connection sees its writes',
      async () => {
        const seen = await s.writer
          .submit(() => insert(s.db, 7))
          .then(() => ({
            open: s.db.inTransaction,
            rows: s.committed(),
          }));
        expect(seen).toEqual({ open: false, rows: [7] });
      },
    );

    it(
      'units run in submission order, each seeing what the earlier ones wrote, ' + 'and promises resolve in that order',
      async () => {
        const resolved: number[] = [];
        const units = Array.from({ length: 40 }, (_, i) =>
          s.writer
            .submit(() => {
              const before = (s.db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
              insert(s.db, i);
              return before;
            })
            .then((before) => (resolved.push(i), before)),
        );
        expect(await Promise.all(units)).toEqual(Array.from({ length: 40 }, (_, i) => i));
        expect(resolved).toEqual(Array.from({ length: 40 }, (_, i) => i));
        expect(s.committed()).toEqual(Array.from({ length: 40 }, (_, i) => i));
      },
    );

    it('units never interleave: each runs to its end before the next one starts', async () => {
      const log: string[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.writer.submit(() => {
            log.push(`start ${i}`);
            insert(s.db, i);
            log.push(`end ${i}`);
          }),
        ),
      );
      expect(log).toEqual(Array.from({ length: 20 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
    });

    it(
      'a unit that throws rejects only its own promise, with its own error; ' +
        'the units around it resolve and are committed',
      async () => {
        const boom = new Error('boom');
        const a = s.writer.submit(() => insert(s.db, 1));
        const bad = s.writer.submit(() => {
          throw boom;
        });
        const c = s.writer.submit(() => insert(s.db, 3));
        await expect(bad).rejects.toBe(boom);
        await expect(a).resolves.toBe(1);
        await expect(c).resolves.toBe(2);
        expect(s.committed()).toEqual([1, 3]);
      },
    );

    it(
      'every promise tells the truth when SQLite gives up a transaction mid-way ' + '(disk full): resolved ⇔ committed',
      async () => {
        s.db.exec('CREATE TABLE blob (tag TEXT NOT NULL, b BLOB NOT NULL)');
        const pages = s.db.pragma('page_count', { simple: true }) as number;
        s.db.pragma(`max_page_count = ${pages + 30}`);
        const tags = ['a', 'b', 'big', 'c', 'd'];
        const settled = await Promise.allSettled(
          tags.map((tag) =>
            s.writer.submit(() => {
              s.db
                .prepare('INSERT INTO blob (tag, b) VALUES (?, ?)')
                .run(tag, Buffer.alloc(tag === 'big' ? 1_000_000 : 100));
              return tag;
            }),
          ),
        );
        const present = new Set((s.db.prepare('SELECT tag FROM blob').all() as { tag: string }[]).map((r) => r.tag));
        expect(settled.map((r, i) => [tags[i], r.status === 'fulfilled'])).toEqual(
          tags.map((tag) => [tag, present.has(tag)]),
        );
        expect(settled[2]?.status).toBe('rejected');
        expect(present.has('d')).toBe(true); // work after the failure still runs and commits
      },
    );

    if (caps.rollsBackFailedUnit)
      it(
        'a unit that throws leaves none of its writes behind ' +
          '(rolled back alone, even when others share its batch)',
        async () => {
          const a = s.writer.submit(() => insert(s.db, 1));
          const bad = s.writer.submit(() => {
            insert(s.db, 2);
            insert(s.db, -1); // CHECK (v >= 0)
          });
          const c = s.writer.submit(() => insert(s.db, 3));
          await expect(bad).rejects.toThrow(/CHECK/);
          await Promise.all([a, c]);
          expect(s.committed()).toEqual([1, 3]);
        },
      );

    if (caps.queuesNestedWork)
      it(
        'work submitted from inside a unit runs after that unit has returned, ' + 'and resolves after its own commit',
        async () => {
          const log: string[] = [];
          let inner: Promise<number> | undefined;
          await s.writer.submit(() => {
            log.push('outer start');
            inner = s.writer.submit(() => (log.push('inner'), insert(s.db, 2)));
            insert(s.db, 1);
            log.push('outer end');
          });
          await expect(inner).resolves.toBe(2);
          expect(log).toEqual(['outer start', 'outer end', 'inner']);
          expect(s.committed()).toEqual([1, 2]);
        },
      );

    if (caps.stoppable) {
      it('stop() writes what is queued before it returns', async () => {
        const p = s.writer.submit(() => insert(s.db, 7));
        s.stop?.();
        expect(s.committed()).toEqual([7]);
        await expect(p).resolves.toBe(1);
      });

      it('submit after stop() is refused, and its work never runs', async () => {
        s.stop?.();
        let ran = false;
        await expect(s.writer.submit(() => (ran = true))).rejects.toThrow(/stopped/);
        expect(ran).toBe(false);
      });
    }
  });
}

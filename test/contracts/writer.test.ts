import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { WriterPort } from '../../gateway/redemption/service/ports.ts';
import { BatchWriter } from '../../gateway/store/batch-writer.ts';
import { ImmediateWriter } from '../../gateway/store/immediate-writer.ts';
import { WalSync } from '../../gateway/store/wal-sync.ts';
import { openDatabase, type Db } from '../../gateway/store/db.ts';
import { tempDir } from '../support/tmp.ts';
import { describeWriterContract, type WriterSubject } from './writer.contract.ts';

const TABLE = [
  { version: 1, name: 't', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0)) STRICT' },
];

/** A database file as the gateway opens it (WAL, synchronous=FULL) and a writer made over its connection. */
function subject(make: (db: Db) => { writer: WriterPort; stop?: () => void }): WriterSubject {
  const tmp = tempDir('linli-contract-writer-');
  const file = join(tmp.dir, 'w.db');
  const db = openDatabase(file, { migrations: TABLE });
  const other = new Database(file, { readonly: true });
  const { writer, stop } = make(db);
  return {
    writer,
    db,
    committed: () => (other.prepare('SELECT v FROM t ORDER BY id').all() as { v: number }[]).map((r) => r.v),
    ...(stop ? { stop } : {}),
    close: () => {
      stop?.();
      other.close();
      db.close();
      tmp.cleanup();
    },
  };
}

const batchWriter = (opts?: { maxWaitMs: number; maxBatch: number }) =>
  subject((db) => {
    const w = new BatchWriter(db, opts);
    return { writer: w, stop: () => w.stop() };
  });

// The production writer (gateway/store/batch-writer.ts, group commit), with the gateway's defaults
// (config redemption.groupCommit) and with batches of one, where submit flushes synchronously.
describeWriterContract('BatchWriter, group commit as configured by default', () => batchWriter(), {
  rollsBackFailedUnit: true,
  queuesNestedWork: true,
  stoppable: true,
});
describeWriterContract('BatchWriter, maxBatch 1', () => batchWriter({ maxWaitMs: 0, maxBatch: 1 }), {
  rollsBackFailedUnit: true,
  queuesNestedWork: true,
  stoppable: true,
});

// As the gateway runs it by default: synchronous=NORMAL, the log synced on the thread pool after COMMIT
// (redemption.groupCommit.syncOffThread), each unit settled only once that sync is done.
describeWriterContract(
  'BatchWriter, log synced off the event loop (the gateway’s default)',
  () =>
    subject((db) => {
      db.pragma('synchronous = NORMAL');
      const wal = new WalSync(`${db.name}-wal`);
      const w = new BatchWriter(db, { maxWaitMs: 2, maxBatch: 256 }, wal.sync);
      return {
        writer: w,
        stop: () => {
          w.stop();
          wal.close();
        },
      };
    }),
  { rollsBackFailedUnit: true, queuesNestedWork: true, stoppable: true },
);

// The CLI's writer (gateway/store/immediate-writer.ts): one IMMEDIATE transaction per unit, committed
// before it resolves; SQLite's lock serialises it with a running gateway's group-commit writer.
describeWriterContract('ImmediateWriter, the CLI’s', () => subject((db) => ({ writer: new ImmediateWriter(db) })), {
  rollsBackFailedUnit: true,
  queuesNestedWork: false,
  stoppable: false,
});

// The immediate writers tests use instead, copied as written there. Both run a unit at once, in the
// caller's stack: work submitted from inside a unit runs nested inside it, not after it.
// test/redemption/fixture.test.ts: one transaction per unit.
describeWriterContract(
  'immediate transactional fake (test/redemption/fixture.test.ts)',
  () => subject((db) => ({ writer: { submit: async (work) => db.transaction(work)() } })),
  { rollsBackFailedUnit: true, queuesNestedWork: false, stoppable: false },
);
// test/cloud/outbox-budget.test.ts: no transaction at all, so a unit's writes commit one statement at
// a time and a unit that throws half-way keeps what it wrote before the throw.
describeWriterContract(
  'immediate plain fake (test/cloud/outbox-budget.test.ts)',
  () => subject(() => ({ writer: { submit: async <T>(f: () => T) => f() } })),
  { rollsBackFailedUnit: false, queuesNestedWork: false, stoppable: false },
);

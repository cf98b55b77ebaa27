import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Db } from './db.ts';
import { GroupCommitter } from './group-commit.ts';

export interface GroupCommitBenchOptions {
  /** Redemption-like writes per variant. */
  ops?: number;
  /** Concurrent submitters for the group-commit variant (devices waiting for "approved"). */
  concurrency?: number;
  maxBatch?: number;
  maxWaitMs?: number;
  /** Folder for the temporary database files; the system temp folder by default. Measure on the target medium. */
  dir?: string;
}

export interface GroupCommitBenchResult {
  perTxnOpsPerSec: number;
  groupOpsPerSec: number;
  ratio: number;
  meanBatch: number;
}

const SCHEMA = `
  CREATE TABLE wallets (id TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0)) STRICT;
  CREATE TABLE movements (seq INTEGER PRIMARY KEY, wallet_id TEXT NOT NULL, delta INTEGER NOT NULL, txn_id TEXT NOT NULL) STRICT;
`;
const WALLETS = 1000;
const PRICE = 1;

/** One redemption-like write: a guarded debit (never below zero) and its ledger-like row. */
function redeem(db: Db, i: number): void {
  const wallet = `w-${i % WALLETS}`;
  const debited = db.prepare('UPDATE wallets SET balance = balance - ? WHERE id = ? AND balance >= ?').run(PRICE, wallet, PRICE);
  if (debited.changes !== 1) throw new Error(`bench wallet ${wallet} ran dry`);
  db.prepare('INSERT INTO movements (wallet_id, delta, txn_id) VALUES (?, ?, ?)').run(wallet, -PRICE, `t-${i}`);
}

function openBenchDb(dir: string, name: string, ops: number): Db {
  // openDatabase sets WAL + synchronous=FULL, the settings production runs with.
  const db = openDatabase(join(dir, name), { migrations: [{ version: 1, name: 'bench', sql: SCHEMA }] });
  const add = db.prepare('INSERT INTO wallets (id, balance) VALUES (?, ?)');
  db.transaction(() => {
    for (let w = 0; w < WALLETS; w++) add.run(`w-${w}`, ops);
  })();
  return db;
}

/**
 * Durable redemption-like writes per second on a temp file with WAL + synchronous=FULL: (a) one
 * transaction (one fsync) per write, (b) the GroupCommitter fed by `concurrency` submitters that each
 * wait for their commit before sending the next, as devices do. Prints nothing; `npm run bench` reports.
 */
export async function benchGroupCommit(opts: GroupCommitBenchOptions = {}): Promise<GroupCommitBenchResult> {
  const ops = opts.ops ?? 5000;
  const concurrency = opts.concurrency ?? 64;
  const dir = mkdtempSync(join(opts.dir ?? tmpdir(), 'linli-bench-gc-'));
  try {
    const a = openBenchDb(dir, 'per-txn.db', ops);
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) a.transaction(() => redeem(a, i))();
    const perTxnMs = performance.now() - t0;
    a.close();

    const b = openBenchDb(dir, 'group.db', ops);
    const gc = new GroupCommitter(b, { maxBatch: opts.maxBatch ?? 256, maxWaitMs: opts.maxWaitMs ?? 2 });
    gc.start();
    let next = 0;
    const submitter = async () => {
      for (let i = next++; i < ops; i = next++) await gc.submit((db) => redeem(db, i));
    };
    const t1 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, submitter));
    const groupMs = performance.now() - t1;
    gc.stop();
    const meanBatch = gc.stats.meanBatch;
    b.close();

    const perTxnOpsPerSec = ops / (perTxnMs / 1000);
    const groupOpsPerSec = ops / (groupMs / 1000);
    return { perTxnOpsPerSec, groupOpsPerSec, ratio: groupOpsPerSec / perTxnOpsPerSec, meanBatch };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import Database from 'better-sqlite3';
import { join } from 'node:path';
import { processFigures, quantile } from '../support.ts';

/** One small fsync'd SQLite commit on the same disk: the least a durable approval can cost. */
export interface FsyncFloor {
  p50Ms: number;
  p99Ms: number;
  bytesPerCommit: number;
}

/**
 * Commits `count` one-row transactions to a fresh database in `dir` with the gateway's durability
 * (WAL, synchronous=FULL), timing each, and the bytes the process made the disk write per commit.
 */
export function fsyncFloor(dir: string, count = 400): FsyncFloor {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const commit = db.transaction((v: string) => insert.run(v));
  for (let i = 0; i < 20; i++) commit('warm-up');
  const before = processFigures(process.pid).writeBytes;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    commit(`approved redemption ${i}`);
    times.push(performance.now() - t);
  }
  const written = processFigures(process.pid).writeBytes - before;
  db.close();
  times.sort((a, b) => a - b);
  return { p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), bytesPerCommit: written / count };
}

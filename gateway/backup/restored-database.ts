import { STREAMS } from '../cloud/contract/streams.ts';
import { openDatabase } from '../store/db.ts';
import type { Db } from '../store/db-type.ts';

/** [CLP-3.4] An epoch: 12 lowercase hex digits. */
const EPOCH = /^[0-9a-f]{12}$/;

/** Where a restored database's backup stopped, per stream, in the epoch it was taken in [CLP-3.12]. */
export interface RestorePoint {
  epoch: string;
  fromEpoch: string;
  at: number;
  recoveredAt: number | null;
  points: Record<string, number>;
}

/**
 * Makes a database file restored from a backup safe to start [CLP-3.12]: from now on it writes its events
 * in `newEpoch`, numbering on from where the backup stopped, so no id the original box sent after the
 * backup (same epoch, same seq, other content) is ever used again, and the cloud never drops a new event
 * as a repeat. The backup's own unsent events keep the epoch, hence the ids, they were written with: sent
 * under a new id they would be counted twice. The restore point (per stream, the last seq of the old
 * epoch in the backup) is recorded so the gateway can ask the cloud for what the original box sent after
 * it [CLP-5.12]. Run on the file before any gateway opens it (the file is migrated first).
 */
export function prepareRestoredDatabase(dbFile: string, opts: { now: number; newEpoch: string }): void {
  if (!EPOCH.test(opts.newEpoch))
    throw new Error(
      `restored database: new epoch must be 12 lowercase hex digits, got ${JSON.stringify(opts.newEpoch)}`,
    );
  if (!Number.isSafeInteger(opts.now) || opts.now < 0)
    throw new Error(`restored database: now must be a wall time in ms, got ${opts.now}`);
  const db = openDatabase(dbFile);
  try {
    db.transaction(() => markRestored(db, opts))();
  } finally {
    db.close();
  }
}

function markRestored(db: Db, opts: { now: number; newEpoch: string }): void {
  db.prepare('INSERT OR IGNORE INTO cloud_session (id, session) VALUES (1, 0)').run();
  const old = db.prepare<[], { epoch: string | null }>('SELECT epoch FROM cloud_session WHERE id = 1').get()?.epoch;
  if (old === opts.newEpoch)
    throw new Error(`restored database: it is already in epoch ${old}; a restore needs a new epoch`);
  if (db.prepare('SELECT 1 FROM restores WHERE epoch = ? OR from_epoch = ?').get(opts.newEpoch, opts.newEpoch))
    throw new Error(`restored database: epoch ${opts.newEpoch} was used before in this database`);
  if (old === null || old === undefined) {
    // never opened by a gateway: nothing was ever sent under any epoch, so there is nothing to continue
    db.prepare('UPDATE cloud_session SET epoch = ? WHERE id = 1').run(opts.newEpoch);
    return;
  }
  db.prepare('UPDATE outbox SET epoch = ? WHERE epoch IS NULL').run(old);
  db.prepare('INSERT INTO restores (epoch, from_epoch, at, recovered_at) VALUES (?, ?, ?, NULL)').run(
    opts.newEpoch,
    old,
    opts.now,
  );
  const next = db.prepare<[string], { next_seq: number }>('SELECT next_seq FROM outbox_streams WHERE stream = ?');
  const point = db.prepare('INSERT INTO restore_points (epoch, stream, seq) VALUES (?, ?, ?)');
  for (const stream of STREAMS) point.run(opts.newEpoch, stream, (next.get(stream)?.next_seq ?? 1) - 1);
  db.prepare('UPDATE cloud_session SET epoch = ? WHERE id = 1').run(opts.newEpoch);
}

/** Every restore this database went through, oldest first, with its restore points. */
export function restoresOf(db: Db): RestorePoint[] {
  const rows = db
    .prepare<[], { epoch: string; from_epoch: string; at: number; recovered_at: number | null }>(
      'SELECT epoch, from_epoch, at, recovered_at FROM restores ORDER BY at, rowid',
    )
    .all();
  const points = db.prepare<[string], { stream: string; seq: number }>(
    'SELECT stream, seq FROM restore_points WHERE epoch = ?',
  );
  return rows.map((r) => ({
    epoch: r.epoch,
    fromEpoch: r.from_epoch,
    at: r.at,
    recoveredAt: r.recovered_at,
    points: Object.fromEntries(points.all(r.epoch).map((p) => [p.stream, p.seq])),
  }));
}

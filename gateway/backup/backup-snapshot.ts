import Database from 'better-sqlite3';
import type { Db } from '../store/db-type.ts';

/** Pages per step of the backup API from the gateway's own connection: some 4 MB, a few ms of its loop. */
export const PAGES_PER_STEP = 1024;

/**
 * A consistent copy of the live database with SQLite's backup API. From the gateway's own writer
 * connection it copies in steps, yielding the event loop between them: the gateway's writes through that
 * same connection go into the copy as they happen, so the backup never restarts. From another connection
 * (the CLI beside a running gateway) a write by the gateway would restart a stepped copy, so it copies in
 * one step: a read transaction, which in WAL mode never stops the gateway's writer.
 * The copy is left as one self-contained file (rollback journal, no -wal beside it).
 */
export async function snapshotDatabase(
  source: Db,
  dest: string,
  mode: 'steps' | 'one-step',
  signal?: AbortSignal,
): Promise<void> {
  await source.backup(dest, {
    progress: () => {
      signal?.throwIfAborted();
      return mode === 'steps' ? PAGES_PER_STEP : 0x7fffffff;
    },
  });
  const copy = new Database(dest);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** What a snapshot is: its schema version, cloud epoch and a few counts a person recognises. */
export interface SnapshotFacts {
  schemaVersion: number;
  epoch: string | null;
  counts: { members: number; redemptions: number; ledgerEntries: number; devices: number };
}

export function snapshotFacts(db: Db): SnapshotFacts {
  const count = (table: string): number => {
    try {
      return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } catch {
      return 0; // an older schema without that table
    }
  };
  let epoch: string | null = null;
  try {
    epoch =
      (db.prepare('SELECT epoch FROM cloud_session WHERE id = 1').get() as { epoch: string | null } | undefined)
        ?.epoch ?? null;
  } catch {
    epoch = null; // never synced with a cloud
  }
  return {
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    epoch,
    counts: {
      members: count('members'),
      redemptions: count('redemptions'),
      ledgerEntries: count('ledger'),
      devices: count('devices'),
    },
  };
}

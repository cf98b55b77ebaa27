import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type { Db } from './db-type.ts';
import type { Db } from './db-type.ts';

/** How long a statement waits for another connection's write lock (a CLI command, a load) before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the gateway database with the pragmas money needs. better-sqlite3 is compiled with
 * SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so WAL would default to NORMAL, which loses commits on power
 * loss (FIELD-NOTES): synchronous=FULL is set explicitly on every connection.
 */
export function openDatabase(file: string, opts: { readonly?: boolean; migrations?: readonly Migration[] } = {}): Db {
  if (file !== ':memory:' && !opts.readonly) keepPrivate(file);
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!opts.readonly) {
    // before anything writes (switching to WAL rewrites the header): a newer release's file stays as it was
    try {
      refuseNewer(db, opts.migrations ?? MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // a savepoint's statement journal stays in memory: on disk it cost ~90 KB of temporary-file writes per
    // redemption (an SD card's wear) for a journal no crash ever needs (the WAL is what is durable)
    db.pragma('temp_store = MEMORY');
    migrate(db, opts.migrations ?? MIGRATIONS);
  }
  return db;
}

/**
 * Residents' balances and card keys are for the gateway's user only: the data folder is 0700 and the
 * database 0600. SQLite gives its -wal and -shm files the database file's mode, so they follow.
 */
function keepPrivate(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  // a shared sticky folder (/tmp) is everyone's: tightening it would lock other users and services out
  const shared = (statSync(dir).mode & 0o1000) !== 0;
  for (const path of shared ? [file, `${file}-wal`, `${file}-shm`] : [dir, file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (existsSync(path)) chmodSync(path, path === dir ? 0o700 : 0o600);
    } catch (err) {
      // another user's folder we may write to (a shared test folder): not ours to change
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
}

/** A file from a newer release: its tables may mean what this release cannot know. Never downgraded. */
function refuseNewer(db: Db, migrations: readonly Migration[]): void {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > latest) {
    throw new Error(
      `database schema version ${version} was written by a newer linli: this one knows versions up to ` +
        `${latest}, and going back is not supported; nothing was changed. Install that newer linli again, ` +
        'or restore a backup made by this version (linli restore)',
    );
  }
}

/**
 * Applies the migrations the file has not seen yet, each atomically, and refuses a file from a newer
 * release. The version is read inside each migration's write transaction, so a CLI command and the
 * service starting at the same moment never both apply one.
 */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  refuseNewer(db, migrations);
  let applied = 0;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= version()) continue;
    // PRAGMA foreign_keys is a no-op inside a transaction: switched around it (SQLite's documented
    // procedure for table changes ALTER TABLE cannot make), and the rebuilt tables' references checked
    // before COMMIT (only theirs: an old problem elsewhere must not block an upgrade it has nothing to do with)
    const check = m.foreignKeyCheck ?? [];
    const fk = check.length > 0 && (db.pragma('foreign_keys', { simple: true }) as number) === 1;
    if (fk) db.pragma('foreign_keys = OFF');
    try {
      const ran = db
        .transaction(() => {
          if (m.version <= version()) return false; // another process applied it meanwhile
          db.exec(m.sql);
          m.run?.(db);
          for (const table of check) {
            const broken = db.pragma(`foreign_key_check(${table})`) as unknown[];
            if (broken.length > 0)
              throw new Error(
                `migration ${m.version} would break ${broken.length} foreign key reference(s) of ${table}`,
              );
          }
          db.pragma(`user_version = ${m.version}`);
          return true;
        })
        .immediate();
      if (ran) applied += 1;
    } catch (err) {
      throw diskFull(err) ? new DiskFullDuringMigrationError(m, version(), db.name) : err;
    } finally {
      if (fk) db.pragma('foreign_keys = ON');
    }
  }
  return applied;
}

const diskFull = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || (err as { code?: unknown }).code === 'ENOSPC';
};

/**
 * A migration ran out of disk. Its transaction rolled back, so the file is whole at the version before it;
 * the gateway must not start on a half-known schema, and the person at the box must know what to free.
 */
export class DiskFullDuringMigrationError extends Error {
  constructor(m: Migration, at: number, file: string) {
    super(
      `the disk is full: upgrading the database ${file} from version ${at} to ${m.version} (${m.name}) ` +
        `needs more room; nothing was changed (it is still version ${at}). Free space on that disk ` +
        '(df -h; old backups, logs) and start linli again',
    );
    this.name = 'DiskFullDuringMigrationError';
  }
}

/** Closes cleanly: a final checkpoint folds the WAL into the main file so a copy of it alone is a full backup. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import * as z from 'zod';

/** Who holds a data folder: written beside the lock for the message a second process prints. */
const HolderSchema = z.object({
  pid: z.number().int().positive(),
  command: z.string(),
  startedAt: z.string(),
  host: z.string(),
});
type LockHolder = z.infer<typeof HolderSchema>;

/** Another gateway runs on this data folder. */
export class DataFolderBusyError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `the data folder ${folder} is in use by another Linli gateway` +
        `${holder ? ` (pid ${holder.pid}, \`${holder.command}\`, started ${holder.startedAt})` : ''}`,
    );
    this.name = 'DataFolderBusyError';
  }
}

const LOCK_FILE = 'linli.lock';
const HOLDER_FILE = 'linli.lock.json';

/**
 * One gateway per data folder. The lock is an SQLite file held in exclusive locking mode inside an open
 * write transaction: SQLite takes an fcntl lock on it, which the kernel drops when the process dies, even
 * by SIGKILL, so a crash never leaves a stale lock (a pid file would). A second process, or a second
 * connection in this one, gets SQLITE_BUSY at once. The CLI's commands beside a running gateway
 * (provision, device, token) do not take it: they share the database safely through SQLite.
 */
export class DataFolderLock {
  private constructor(
    private readonly db: Database.Database,
    readonly folder: string,
  ) {}

  static acquire(dataDir: string, command: string): DataFolderLock {
    const folder = resolve(dataDir);
    // private like the rest of the data folder (see store/db.ts): the lock is taken before the database opens
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    closeSync(openSync(join(folder, LOCK_FILE), 'a', 0o600));
    const db = new Database(join(folder, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataFolderBusyError(folder, readHolder(folder));
      throw err;
    }
    const holder: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString(), host: hostname() };
    // informative only: the lock is the fcntl lock above, never this file
    writeFileSync(join(folder, HOLDER_FILE), `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    return new DataFolderLock(db, folder);
  }

  /**
   * Whether a gateway holds the folder now (without taking it: no holder file is written). A gateway
   * starting in the instant this looks would find the folder busy and say so; it is started again.
   */
  static heldByAnother(dataDir: string): boolean {
    const file = join(resolve(dataDir), LOCK_FILE);
    let db: Database.Database;
    try {
      db = new Database(file, { timeout: 0, fileMustExist: true });
    } catch {
      return false; // no lock file: no gateway has ever run on this folder
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('ROLLBACK');
      return false;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return true;
      throw err;
    } finally {
      db.close();
    }
  }

  release(): void {
    if (!this.db.open) return;
    rmSync(join(this.folder, HOLDER_FILE), { force: true });
    this.db.exec('ROLLBACK');
    this.db.close();
  }
}

/** The holder named in the side file, if that process is still alive (it may be a leftover of a crash). */
function readHolder(folder: string): LockHolder | undefined {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(readFileSync(join(folder, HOLDER_FILE), 'utf8')));
    if (!parsed.success) return undefined;
    if (parsed.data.host === hostname()) process.kill(parsed.data.pid, 0);
    return parsed.data;
  } catch {
    return undefined;
  }
}

import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataFolderBusyError, DataFolderLock } from '../store/data-lock.ts';
import type { BackupSecret } from './backup-crypto.ts';
import { writeLastBackup } from './last-backup.ts';
import { prepareRestoredDatabase } from './restored-database.ts';
import { checkBackup, type BackupCheck } from './verify-backup.ts';

/** A gateway runs on the data folder: a restore under it would pull its database away mid-write. */
export class RestoreWhileRunningError extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number | undefined,
  ) {
    super(`a Linli gateway is running on ${folder}${pid ? ` (pid ${pid})` : ''}; nothing was changed`);
    this.name = 'RestoreWhileRunningError';
  }
}

export interface RestoreResult {
  file: string;
  dataDir: string;
  gatewayId: string;
  snapshotAt: number;
  schemaVersion: number;
  counts: BackupCheck['facts']['counts'];
  ledger: BackupCheck['ledger'];
  epoch: { backup: string | null; now: string };
  /** Where the data folder's previous content went (undefined: there was none). */
  previous: string | undefined;
  /** The config files as they were at backup time, for comparison: never put in place by a restore. */
  configFiles: string[];
}

/** Files a data folder has before any gateway ran on it: nothing worth keeping aside. */
const LOCK_FILES = new Set(['linli.lock', 'linli.lock.json', 'linli.lock-journal', 'linli.lock-wal']);

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const stamp = (at: number) =>
  new Date(at)
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * `linli restore`: holds the data folder's lock throughout (refused while a gateway runs), decrypts the
 * backup into a folder beside the data folder, checks authentication, integrity, the ledger and the
 * schema version, gives the database a new cloud epoch (prepareRestoredDatabase), then swaps the folders:
 * the old content stays as `<data>.before-restore-<time>` until the user deletes it. Any failure before
 * the swap removes the new folder and leaves the data folder as it was.
 */
export async function restoreBackup(req: {
  file: string;
  dataDir: string;
  secret: BackupSecret;
  now: () => number;
  newEpoch?: string;
}): Promise<RestoreResult> {
  const dataDir = resolve(req.dataDir);
  if (!existsSync(req.file)) throw new Error(`there is no backup file ${req.file}`);
  if (existsSync(dataDir) && DataFolderLock.heldByAnother(dataDir))
    throw new RestoreWhileRunningError(dataDir, undefined);
  mkdirSync(dirname(dataDir), { recursive: true });
  // a refused restore leaves no trace: not even the lock file or a data folder it had to create
  const existed = existsSync(dataDir);
  const hadLock = existsSync(join(dataDir, 'linli.lock'));
  let lock: DataFolderLock;
  try {
    lock = DataFolderLock.acquire(dataDir, 'linli restore');
  } catch (err) {
    if (err instanceof DataFolderBusyError) throw new RestoreWhileRunningError(dataDir, err.holder?.pid);
    throw err;
  }
  const work = join(dirname(dataDir), `.${basename(dataDir)}.restore-${randomBytes(4).toString('hex')}`);
  let swapped = false;
  try {
    const check = await checkBackup(req.file, req.secret, work);
    const newEpoch = req.newEpoch ?? randomBytes(6).toString('hex');
    prepareRestoredDatabase(join(work, 'linli.db'), { now: req.now(), newEpoch });
    const configFiles = keepConfigAside(work);
    writeLastBackup(work, {
      at: check.header.createdAt,
      file: resolve(req.file),
      bytes: statSync(req.file).size,
      verified: true,
    });
    if (existed) ownLike(work, dataDir);
    const previous = swapIn(work, dataDir, req.now());
    swapped = true;
    return {
      file: req.file,
      dataDir,
      gatewayId: check.header.gatewayId,
      snapshotAt: check.header.createdAt,
      schemaVersion: check.header.schemaVersion,
      counts: check.facts.counts,
      ledger: check.ledger,
      epoch: { backup: check.header.epoch, now: newEpoch },
      previous,
      configFiles: configFiles.map((f) => join(dataDir, f)),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    lock.release();
    if (!swapped && !existed) rmSync(dataDir, { recursive: true, force: true });
    else if (!swapped && !hadLock) for (const f of LOCK_FILES) rmSync(join(dataDir, f), { force: true });
  }
}

/** The backed-up config goes to `config-from-backup/`: the config in use (/etc/linli) may differ on purpose. */
function keepConfigAside(work: string): string[] {
  const aside = 'config-from-backup';
  const out: string[] = [];
  const from = join(work, 'config');
  if (existsSync(from)) {
    renameSync(from, join(work, aside));
    for (const name of readdirSync(join(work, aside))) out.push(join(aside, name));
  }
  if (existsSync(join(work, 'config.effective.json'))) {
    mkdirSync(join(work, aside), { recursive: true, mode: 0o700 });
    renameSync(join(work, 'config.effective.json'), join(work, aside, 'config.effective.json'));
    out.push(join(aside, 'config.effective.json'));
  }
  return out;
}

/**
 * Run as root (sudo linli restore), the restored files would be root's and the service's user could not
 * open them: they get the owner of the data folder they replace.
 */
function ownLike(work: string, dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dataDir);
  const walk = (p: string) => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(work);
}

/** Moves the data folder aside and the restored one in; if the second rename fails, the first is undone. */
function swapIn(work: string, dataDir: string, now: number): string | undefined {
  const old = existsSync(dataDir) ? readdirSync(dataDir).filter((n) => !LOCK_FILES.has(n)) : [];
  let previous: string | undefined;
  if (old.length > 0) {
    previous = `${dataDir}.before-restore-${stamp(now)}`;
    if (existsSync(previous)) previous = `${previous}-${randomBytes(2).toString('hex')}`;
    renameSync(dataDir, previous);
  } else rmSync(dataDir, { recursive: true, force: true });
  try {
    renameSync(work, dataDir);
  } catch (err) {
    if (previous) renameSync(previous, dataDir);
    throw err;
  }
  fsyncDir(dirname(dataDir));
  return previous;
}

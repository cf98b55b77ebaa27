import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../store/db-type.ts';
import { tlsPaths } from '../security/tls-paths.ts';
import { ArchiveWriter, type ArchiveEntry } from './backup-archive.ts';
import { DEFAULT_SCRYPT, EncryptingWriter, type BackupSecret } from './backup-crypto.ts';
import { snapshotDatabase, snapshotFacts, type SnapshotFacts } from './backup-snapshot.ts';
import { checkBackup } from './verify-backup.ts';
import { writeLastBackup } from './last-backup.ts';

export const BACKUP_SUFFIX = '.linlibak';

export interface BackupRequest {
  dataDir: string;
  gatewayId: string;
  secret: BackupSecret;
  /** A backup file to write, or a folder to write a dated one into. */
  target: string;
  /** The running gateway's own writer connection (stepped copy); else the backup opens its own. */
  source?: Db;
  /** The config file as the operator wrote it, when known. */
  configFile?: string | undefined;
  /** The config the gateway runs with (paths resolved, defaults filled): kept as config.effective.json. */
  effectiveConfig?: unknown;
  now: () => number;
  scrypt?: { N: number; r: number; p: number };
  /** A stopping gateway stops its backup between two steps (the partial file is removed). */
  signal?: AbortSignal;
}

export interface BackupResult {
  file: string;
  bytes: number;
  createdAt: number;
  entries: ArchiveEntry[];
  facts: SnapshotFacts;
  ledger: { entries: number; accounts: number };
  verified: true;
}

/** `linli-gw-20261201-031500Z.linlibak`: sorts by time, says which gateway. */
export function backupFileName(gatewayId: string, at: number): string {
  const iso = new Date(at).toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}Z`;
  return `${gatewayId}-${stamp}${BACKUP_SUFFIX}`;
}

/**
 * A second backup within the same second (a scheduled one and a staff member's `linli backup`) gets `-2`,
 * `-3`…: names stay in step with the time, and neither backup is refused.
 */
function freeName(folder: string, name: string): string {
  const stem = name.slice(0, -BACKUP_SUFFIX.length);
  let file = join(folder, name);
  for (let n = 2; existsSync(file); n++) file = join(folder, `${stem}-${n}${BACKUP_SUFFIX}`);
  return file;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes one verified backup: a consistent snapshot of the database (beside a running gateway or alone),
 * secrets.json, the config and the local CA, encrypted and streamed to `<file>.partial-*`, fsynced and
 * renamed; then read back whole, decrypted, authenticated and checked (integrity_check, ledger verify).
 * Only then is it recorded as the last backup. A backup that fails its check is deleted, never kept.
 * The plaintext snapshot lives in a private folder inside the data folder while it is encrypted.
 */
export async function makeBackup(req: BackupRequest): Promise<BackupResult> {
  const dbFile = join(req.dataDir, 'linli.db');
  if (!req.source && !existsSync(dbFile)) throw new Error(`there is no database at ${dbFile} to back up`);
  const createdAt = req.now();
  const file = isDir(req.target) ? freeName(req.target, backupFileName(req.gatewayId, createdAt)) : req.target;
  if (!isDir(dirname(file))) throw new Error(`the backup folder ${dirname(file)} does not exist`);
  if (existsSync(file)) throw new Error(`${file} exists already; a backup never overwrites another`);
  const work = mkdtempSync(join(req.dataDir, '.backup-'));
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const snap = join(work, 'linli.db');
    if (req.source) await snapshotDatabase(req.source, snap, 'steps', req.signal);
    else {
      // read-write but never written: a read-only connection cannot open a WAL file whose -shm is missing
      const own = new Database(dbFile, { fileMustExist: true, timeout: 5000 });
      try {
        await snapshotDatabase(own, snap, 'one-step');
      } finally {
        own.close();
      }
    }
    const snapDb = new Database(snap, { readonly: true });
    const facts = (() => {
      try {
        return snapshotFacts(snapDb);
      } finally {
        snapDb.close();
      }
    })();
    const fd = openSync(partial, 'wx', 0o600);
    let bytes: number;
    const entries: ArchiveEntry[] = [];
    try {
      const out = new EncryptingWriter(
        fd,
        req.secret,
        { createdAt, gatewayId: req.gatewayId, schemaVersion: facts.schemaVersion, epoch: facts.epoch },
        req.scrypt ?? DEFAULT_SCRYPT,
      );
      const archive = new ArchiveWriter(out, req.signal);
      entries.push(await archive.addFile('linli.db', snap));
      const secrets = join(req.dataDir, 'secrets.json');
      if (existsSync(secrets)) entries.push(await archive.addFile('secrets.json', secrets));
      if (req.configFile) entries.push(await archive.addFile(`config/${basename(req.configFile)}`, req.configFile));
      if (req.effectiveConfig !== undefined)
        entries.push(
          archive.addBytes('config.effective.json', Buffer.from(`${JSON.stringify(req.effectiveConfig, null, 2)}\n`)),
        );
      const tls = tlsPaths(req.dataDir).dir;
      if (isDir(tls))
        for (const name of readdirSync(tls).sort())
          if (statSync(join(tls, name)).isFile()) entries.push(await archive.addFile(`tls/${name}`, join(tls, name)));
      archive.end();
      out.finish();
      fsyncSync(fd);
      bytes = out.bytes;
    } finally {
      closeSync(fd);
    }
    renameSync(partial, file);
    fsyncDir(dirname(file));
    let check: Awaited<ReturnType<typeof checkBackup>>;
    try {
      check = await checkBackup(file, req.secret, join(work, 'verify'), req.signal ? { signal: req.signal } : {});
    } catch (err) {
      rmSync(file, { force: true });
      throw new Error(`the backup did not verify after writing, so it was deleted: ${(err as Error).message}`, {
        cause: err,
      });
    }
    writeLastBackup(req.dataDir, { at: createdAt, file, bytes, verified: true });
    return { file, bytes, createdAt, entries, facts, ledger: check.ledger, verified: true };
  } finally {
    rmSync(partial, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

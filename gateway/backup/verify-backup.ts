import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../store/migrations.ts';
import { extractArchive, type ArchiveEntry } from './backup-archive.ts';
import { DecryptingReader, type BackupHeader, type BackupSecret } from './backup-crypto.ts';
import { snapshotFacts, type SnapshotFacts } from './backup-snapshot.ts';
import { DatabaseDamagedError, integrityCheck } from './integrity-check.ts';
import { ledgerCheck } from './ledger-check.ts';

/** A backup that decrypts and authenticates but whose database must not be trusted (or used by this linli). */
export class UnusableBackupError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}; nothing was changed`);
    this.name = 'UnusableBackupError';
  }
}

export interface BackupCheck {
  file: string;
  header: BackupHeader;
  entries: ArchiveEntry[];
  facts: SnapshotFacts;
  ledger: { entries: number; accounts: number };
}

export const latestSchemaVersion = (): number => MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Reads a backup file through: decrypts and authenticates every chunk into `workDir` (a new folder, 0700),
 * then runs `PRAGMA integrity_check` on the database there (in a child process) and the ledger
 * verification. A backup from a newer linli is refused before its tables are read: this one cannot know
 * what they mean.
 */
export async function checkBackup(
  file: string,
  secret: BackupSecret,
  workDir: string,
  opts: { signal?: AbortSignal } = {},
): Promise<BackupCheck> {
  mkdirSync(workDir, { mode: 0o700 });
  const fd = openSync(file, 'r');
  let header: BackupHeader;
  let entries: ArchiveEntry[];
  try {
    const reader = new DecryptingReader(fd, file, secret);
    header = reader.header;
    if (header.schemaVersion > latestSchemaVersion())
      throw new UnusableBackupError(
        file,
        `it holds database schema version ${header.schemaVersion}, written by a newer linli; this one knows up to ` +
          `${latestSchemaVersion()}: restore it with that newer linli`,
      );
    entries = await extractArchive(reader, file, workDir);
  } finally {
    closeSync(fd);
  }
  if (!entries.some((e) => e.name === 'linli.db')) throw new UnusableBackupError(file, 'it holds no database');
  const dbFile = join(workDir, 'linli.db');
  try {
    const problems = await integrityCheck(dbFile, opts.signal);
    if (problems.length > 0)
      throw new UnusableBackupError(file, `its database fails integrity_check: ${problems.slice(0, 5).join('; ')}`);
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    let facts: SnapshotFacts;
    try {
      facts = snapshotFacts(db);
    } finally {
      db.close();
    }
    if (facts.schemaVersion !== header.schemaVersion)
      throw new UnusableBackupError(file, 'its database is not the one its header describes');
    const ledger = await ledgerCheck(workDir, dbFile, opts.signal);
    if (!ledger.ok) {
      const what = ledger.problems.map((p) => `${p.kind}${p.seq ? ` at seq ${p.seq}` : ''}: ${p.detail}`);
      throw new UnusableBackupError(file, `its ledger does not verify: ${what.slice(0, 5).join('; ')}`);
    }
    return { file, header, entries, facts, ledger: { entries: ledger.entries, accounts: ledger.accounts } };
  } catch (err) {
    // SQLITE_CORRUPT and the like: the file decrypted fine, but what it holds is broken
    if (err instanceof DatabaseDamagedError || (err as { code?: unknown }).code?.toString().startsWith('SQLITE_'))
      throw new UnusableBackupError(file, `its database is damaged: ${(err as Error).message}`);
    throw err;
  }
}

import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBackup } from '../../gateway/backup/make-backup.ts';
import { RestoreWhileRunningError, restoreBackup } from '../../gateway/backup/restore-backup.ts';
import { latestSchemaVersion, UnusableBackupError } from '../../gateway/backup/verify-backup.ts';
import { DataFolderLock } from '../../gateway/store/data-lock.ts';
import { linliInProcess, STACK } from '../cli/cli-support.ts';
import { tempDir } from '../support/tmp.ts';
import { demoDataDir, FAST_SCRYPT, folderDigest, PASS, rawBackup } from './backup-support.ts';

describe('linli restore refuses, touching nothing', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dataDir: string;
  let out: string;
  beforeEach(() => {
    tmp = tempDir('linli-restore-');
    dataDir = demoDataDir(tmp.dir);
    out = join(tmp.dir, 'stick');
    mkdirSync(out);
  });
  afterEach(() => tmp.cleanup());

  const leftovers = () => readdirSync(tmp.dir).filter((n) => n.includes('.restore-') || n.includes('before-restore'));

  it('while a gateway holds the data folder', async () => {
    const r = await makeBackup({
      dataDir,
      gatewayId: 'linli-gw',
      secret: PASS,
      target: out,
      now: () => 5,
      scrypt: FAST_SCRYPT,
    });
    const lock = DataFolderLock.acquire(dataDir, 'linli start');
    try {
      const before = folderDigest(dataDir);
      await expect(restoreBackup({ file: r.file, dataDir, secret: PASS, now: () => 6 })).rejects.toThrow(
        RestoreWhileRunningError,
      );
      expect(folderDigest(dataDir)).toEqual(before);
      expect(leftovers()).toEqual([]);
    } finally {
      lock.release();
    }
  });

  it('a backup whose database fails the ledger check (authentic, but the money does not add up)', async () => {
    const copy = join(tmp.dir, 'bad.db');
    const src = new Database(join(dataDir, 'linli.db'));
    await src.backup(copy);
    src.close();
    const bad = new Database(copy);
    // the ledger refuses changes by trigger: a rewrite on the disk itself goes round it
    for (const t of bad
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'ledger'")
      .all())
      bad.exec(`DROP TRIGGER "${t.name}"`);
    bad.prepare('UPDATE ledger SET delta = delta + 1 WHERE seq = (SELECT max(seq) FROM ledger)').run();
    const version = bad.pragma('user_version', { simple: true }) as number;
    bad.pragma('journal_mode = DELETE');
    bad.close();
    const file = join(out, 'bad.linlibak');
    await rawBackup(file, copy, PASS, { schemaVersion: version });
    const before = folderDigest(dataDir);
    const err = await restoreBackup({ file, dataDir, secret: PASS, now: () => 6 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnusableBackupError);
    expect((err as Error).message).toMatch(/ledger does not verify: hash_mismatch/);
    expect(folderDigest(dataDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('a backup whose database file is damaged (integrity_check)', async () => {
    const copy = join(tmp.dir, 'torn.db');
    const src = new Database(join(dataDir, 'linli.db'));
    await src.backup(copy);
    src.close();
    const db = new Database(copy);
    db.pragma('journal_mode = DELETE');
    const version = db.pragma('user_version', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    // a page in the middle zeroed, as a torn write on a dying SD card leaves it; the header page stays whole
    const fd = openSync(copy, 'r+');
    writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, Math.floor(pages / 2) * pageSize);
    closeSync(fd);
    const file = join(out, 'torn.linlibak');
    await rawBackup(file, copy, PASS, { schemaVersion: version });
    const before = folderDigest(dataDir);
    await expect(restoreBackup({ file, dataDir, secret: PASS, now: () => 6 })).rejects.toThrow(UnusableBackupError);
    expect(folderDigest(dataDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('a backup from a newer linli (schema version beyond this build)', async () => {
    const file = join(out, 'newer.linlibak');
    await rawBackup(file, join(dataDir, 'linli.db'), PASS, { schemaVersion: latestSchemaVersion() + 1 });
    const before = folderDigest(dataDir);
    await expect(restoreBackup({ file, dataDir, secret: PASS, now: () => 6 })).rejects.toThrow(
      /written by a newer linli/,
    );
    expect(folderDigest(dataDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('the CLI: backup --json, then restore with a wrong passphrase (exit 4) and while running (exit 1)', async () => {
    const saved = process.env.LINLI_BACKUP_PASSPHRASE;
    process.env.LINLI_BACKUP_PASSPHRASE = 'a passphrase long enough';
    try {
      const b = await linliInProcess(['backup', '--data', dataDir, '--out', out, '--json']);
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
      const made = JSON.parse(b.stdout) as { file: string; verified: boolean; facts: { schemaVersion: number } };
      expect(made.verified).toBe(true);
      expect(made.facts.schemaVersion).toBe(latestSchemaVersion());
      expect(existsSync(made.file)).toBe(true);

      process.env.LINLI_BACKUP_PASSPHRASE = 'another passphrase entirely';
      const wrong = await linliInProcess(['restore', made.file, '--data', dataDir]);
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toMatch(/wrong passphrase for this backup/);
      expect(wrong.stderr).not.toMatch(STACK);

      process.env.LINLI_BACKUP_PASSPHRASE = 'a passphrase long enough';
      const lock = DataFolderLock.acquire(dataDir, 'linli start');
      try {
        const busy = await linliInProcess(['restore', made.file, '--data', dataDir]);
        expect(busy.code).toBe(1);
        expect(busy.stderr).toMatch(/a Linli gateway is running on .*; nothing was changed/);
        expect(busy.stderr).toMatch(/stop it first/);
      } finally {
        lock.release();
      }
      const ok = await linliInProcess(['restore', made.file, '--data', dataDir, '--json']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ gatewayId: 'linli-gw', previous: expect.any(String) });

      process.env.LINLI_BACKUP_PASSPHRASE = 'short';
      const weak = await linliInProcess(['backup', '--data', dataDir, '--out', out]);
      expect(weak.code).toBe(2);
      expect(weak.stderr).toMatch(/at least 12 characters/);
    } finally {
      if (saved === undefined) delete process.env.LINLI_BACKUP_PASSPHRASE;
      else process.env.LINLI_BACKUP_PASSPHRASE = saved;
    }
  });
});

import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DamagedBackupError, WrongKeyError } from '../../gateway/backup/backup-crypto.ts';
import { keyFromFile } from '../../gateway/backup/backup-key.ts';
import { readLastBackup } from '../../gateway/backup/last-backup.ts';
import { pruneBackups } from '../../gateway/backup/backup-retention.ts';
import { makeBackup } from '../../gateway/backup/make-backup.ts';
import { restoreBackup } from '../../gateway/backup/restore-backup.ts';
import { checkBackup } from '../../gateway/backup/verify-backup.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { tempDir } from '../support/tmp.ts';
import { demoDataDir, FAST_SCRYPT, folderDigest, keyFile, PASS } from './backup-support.ts';

const NOW = Date.UTC(2026, 11, 1, 3, 30);

describe('linli backup and restore: round trip', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dataDir: string;
  let out: string;
  beforeEach(() => {
    tmp = tempDir('linli-backup-');
    dataDir = demoDataDir(tmp.dir);
    out = join(tmp.dir, 'stick');
    mkdirSync(out);
  });
  afterEach(() => tmp.cleanup());

  const make = (secret = PASS) =>
    makeBackup({
      dataDir,
      gatewayId: 'linli-gw',
      secret,
      target: out,
      effectiveConfig: { dataDir },
      now: () => NOW,
      scrypt: FAST_SCRYPT,
    });

  it('with a passphrase: verified, recorded, restored into a fresh box whole, under a new cloud epoch', async () => {
    const before = folderDigest(dataDir);
    const r = await make();
    expect(r.file).toBe(join(out, 'linli-gw-20261201-033000Z.linlibak'));
    expect(statSync(r.file).mode & 0o777).toBe(0o600);
    expect(statSync(r.file).size).toBe(r.bytes);
    expect(r.entries.map((e) => e.name)).toEqual([
      'linli.db',
      'secrets.json',
      'config.effective.json',
      'tls/ca.crt',
      'tls/ca.key',
    ]);
    expect(r.facts.counts.members).toBeGreaterThan(0);
    expect(r.ledger.entries).toBeGreaterThan(0);
    expect(readLastBackup(dataDir)).toEqual({ at: NOW, file: r.file, bytes: r.bytes, verified: true });
    // no plaintext left behind: the working folder inside the data folder is gone
    expect(readdirSync(dataDir).filter((n) => n.startsWith('.backup-'))).toEqual([]);
    expect(readdirSync(out)).toEqual(['linli-gw-20261201-033000Z.linlibak']);

    const fresh = join(tmp.dir, 'fresh', 'data');
    const restored = await restoreBackup({ file: r.file, dataDir: fresh, secret: PASS, now: () => NOW + 1000 });
    expect(restored.previous).toBeUndefined();
    expect(restored.gatewayId).toBe('linli-gw');
    expect(restored.snapshotAt).toBe(NOW);
    expect(restored.counts).toEqual(r.facts.counts);
    expect(restored.epoch.now).toMatch(/^[0-9a-f]{12}$/);
    const after = folderDigest(fresh);
    expect(after['secrets.json']).toBe(before['secrets.json']);
    expect(after['tls/ca.key']).toBe(before['tls/ca.key']);
    expect(after['config-from-backup/config.effective.json']).toBeDefined();
    const db = new Database(join(fresh, 'linli.db'), { readonly: true });
    try {
      expect(verifyLedger(db).ok).toBe(true);
      expect(db.prepare('SELECT epoch FROM cloud_session WHERE id = 1').get()).toEqual({ epoch: restored.epoch.now });
      expect((db.prepare('SELECT count(*) AS n FROM members').get() as { n: number }).n).toBe(r.facts.counts.members);
    } finally {
      db.close();
    }
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
  });

  it('with a key file: round trip; a key file others can read is refused; the wrong kind of key is named', async () => {
    const key = keyFromFile(keyFile(tmp.dir));
    const r = await make(key);
    const check = await checkBackup(r.file, key, join(tmp.dir, 'check'));
    expect(check.header.kdf.kind).toBe('key-file');
    expect(check.ledger.entries).toBe(r.ledger.entries);
    await expect(checkBackup(r.file, PASS, join(tmp.dir, 'check2'))).rejects.toThrow(/made with a key file/);
    expect(() => keyFromFile(keyFile(join(tmp.dir, 'stick'), 0o644))).toThrow(/readable by other users/);
  });

  it('a wrong passphrase or key: a clear error, and a restore touches nothing', async () => {
    const r = await make();
    await expect(checkBackup(r.file, { passphrase: 'not the right passphrase' }, join(tmp.dir, 'w'))).rejects.toThrow(
      WrongKeyError,
    );
    const before = folderDigest(dataDir);
    await expect(
      restoreBackup({ file: r.file, dataDir, secret: { passphrase: 'not the right one!' }, now: () => NOW }),
    ).rejects.toThrow(/wrong passphrase for this backup/);
    expect(folderDigest(dataDir)).toEqual(before);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('.restore-'))).toEqual([]);
  });

  it('restoring over a data folder keeps its old content aside as <data>.before-restore-<time>', async () => {
    const r = await make();
    const before = folderDigest(dataDir);
    const restored = await restoreBackup({ file: r.file, dataDir, secret: PASS, now: () => NOW + 60_000 });
    expect(restored.previous).toBe(`${dataDir}.before-restore-2026-12-01T033100Z`);
    const kept = folderDigest(restored.previous as string);
    expect(kept['linli.db']).toBe(before['linli.db']);
    expect(kept['secrets.json']).toBe(before['secrets.json']);
    expect(existsSync(join(dataDir, 'linli.db'))).toBe(true);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(
      readFileSync(join(restored.previous as string, 'secrets.json'), 'utf8'),
    );
  });

  it('two backups within the same second both land, the second as -2; retention counts both', async () => {
    await make();
    await make();
    expect(readdirSync(out).sort()).toEqual([
      'linli-gw-20261201-033000Z-2.linlibak',
      'linli-gw-20261201-033000Z.linlibak',
    ]);
    expect(pruneBackups(out, 'linli-gw', 1)).toHaveLength(1);
    expect(readdirSync(out)).toHaveLength(1);
  });

  it('a file that is not a backup is named as such', async () => {
    const r = await make();
    await expect(checkBackup(join(dataDir, 'secrets.json'), PASS, join(tmp.dir, 'n'))).rejects.toThrow(
      DamagedBackupError,
    );
    expect(r.verified).toBe(true);
  });
});

import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ArchiveWriter } from '../../gateway/backup/backup-archive.ts';
import { EncryptingWriter, type BackupSecret } from '../../gateway/backup/backup-crypto.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { tlsPaths } from '../../gateway/security/tls-paths.ts';
import { Store } from '../../gateway/store/store.ts';

/** The cheapest scrypt the format accepts: tests check the format, not the cost. */
export const FAST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
export const PASS: BackupSecret = { passphrase: 'correct horse battery staple' };

/** A data folder with the demo community loaded, its secrets.json and a local CA folder. */
export function demoDataDir(dir: string): string {
  const dataDir = join(dir, 'data');
  const store = new Store(dataDir);
  try {
    loadInto(store, dataDir, FixtureSchema.parse(demoFixture()));
  } finally {
    store.close();
  }
  const tls = tlsPaths(dataDir);
  mkdirSync(tls.dir, { recursive: true, mode: 0o700 });
  writeFileSync(tls.caCert, '-----BEGIN CERTIFICATE-----\nfake ca\n-----END CERTIFICATE-----\n', { mode: 0o600 });
  writeFileSync(tls.caKey, 'fake ca key\n', { mode: 0o600 });
  return dataDir;
}

/** What a data folder holds, file by file, as hashes: "nothing touched" is this unchanged. */
export function folderDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

export function keyFile(dir: string, mode = 0o600): string {
  const file = join(dir, 'backup.key');
  writeFileSync(file, `${'ab'.repeat(32)}\n`, { mode });
  chmodSync(file, mode);
  return file;
}

/** A backup file written around any database file, bypassing every check makeBackup makes. */
export async function rawBackup(
  file: string,
  dbFile: string,
  secret: BackupSecret,
  meta: { schemaVersion: number; createdAt?: number },
): Promise<void> {
  const fd = openSync(file, 'wx', 0o600);
  try {
    const out = new EncryptingWriter(
      fd,
      secret,
      { createdAt: meta.createdAt ?? 1, gatewayId: 'linli-gw', schemaVersion: meta.schemaVersion, epoch: null },
      FAST_SCRYPT,
    );
    const archive = new ArchiveWriter(out);
    await archive.addFile('linli.db', dbFile);
    archive.end();
    out.finish();
  } finally {
    closeSync(fd);
  }
}

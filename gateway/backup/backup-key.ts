import { readFileSync } from 'node:fs';
import { assertPrivateFile, readSecretFile } from '../security/secret-files.ts';
import type { BackupSecret } from './backup-crypto.ts';

/** Shorter passphrases fall to a guessing run on one GPU even through scrypt. */
const MIN_PASSPHRASE = 12;

/**
 * A backup key file: 32 random bytes, raw or as 64 hex digits (`openssl rand -hex 32 > backup.key`),
 * readable by the gateway's user only (checked as every other key file of the gateway is).
 */
export function keyFromFile(file: string): BackupSecret {
  assertPrivateFile(file, 'backup key file');
  const raw = readFileSync(file);
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return { key: Buffer.from(text, 'hex') };
  if (raw.length === 32) return { key: raw };
  throw new Error(
    `${file} (backup key file): expected 32 bytes, raw or as 64 hex digits; make one with ` +
      `openssl rand -hex 32 > ${file} && chmod 600 ${file}`,
  );
}

/** A passphrase, from a private file (its first line) or given directly (the environment). */
export function passphrase(text: string, from: string): BackupSecret {
  const p = text.replace(/\r?\n$/, '');
  if ([...p].length < MIN_PASSPHRASE)
    throw new Error(`${from}: the backup passphrase must be at least ${MIN_PASSPHRASE} characters`);
  return { passphrase: p };
}

export function passphraseFromFile(file: string): BackupSecret {
  return passphrase(readSecretFile(file, 'backup passphrase file').split('\n')[0] ?? '', file);
}

/** Where a key comes from, as the CLI and the config name it; exactly one. */
export function backupSecret(
  src: { keyFile?: string | undefined; passphraseFile?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): BackupSecret {
  if (src.keyFile && src.passphraseFile) throw new Error('give a key file or a passphrase file, not both');
  if (src.keyFile) return keyFromFile(src.keyFile);
  if (src.passphraseFile) return passphraseFromFile(src.passphraseFile);
  const fromEnv = env.LINLI_BACKUP_PASSPHRASE;
  if (fromEnv) return passphrase(fromEnv, 'LINLI_BACKUP_PASSPHRASE');
  throw new Error(
    'a backup needs a key: --key-file FILE (32 random bytes, 0600), --passphrase-file FILE (0600), ' +
      'or the environment variable LINLI_BACKUP_PASSPHRASE',
  );
}

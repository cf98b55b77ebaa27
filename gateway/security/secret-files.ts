import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.ts';

/** A file holding keys or passwords that other users of the box could read: the gateway refuses to start. */
class ExposedSecretError extends Error {
  constructor(
    readonly file: string,
    readonly what: string,
    readonly mode: number,
  ) {
    super(
      `${file} (${what}) holds keys but is readable by other users of this machine ` +
        `(mode ${(mode & 0o777).toString(8).padStart(3, '0')}); ` +
        `run: chmod 600 ${file}  (or chmod 640 with the group of the gateway's user)`,
    );
    this.name = 'ExposedSecretError';
  }
}

/**
 * Refuses a secret file any user of the box may read, or one the group may change. Group read stays
 * allowed: root:linli 0640 is how a unit's files are commonly shared with its service user.
 */
export function assertPrivateFile(file: string, what: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new Error(`${file} (${what}): cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if ((mode & 0o007) !== 0 || (mode & 0o020) !== 0) throw new ExposedSecretError(file, what, mode);
}

/** Reads a secret file after checking that only the gateway's user (and group) can read it. */
export function readSecretFile(file: string, what: string): string {
  assertPrivateFile(file, what);
  return readFileSync(file, 'utf8').trim();
}

/** Every file of the configuration that holds a key or a password, with what it is for. */
export function secretFilesOf(config: Pick<Config, 'redemption' | 'cloud' | 'mqtt'>): { file: string; what: string }[] {
  const sc = config.redemption.secureCards;
  const c = config.cloud;
  const entries: [string | undefined, string][] = [
    [sc?.sdmMetaReadKeyFile, 'redemption.secureCards.sdmMetaReadKeyFile'],
    [sc?.fileReadMasterKeyFile, 'redemption.secureCards.fileReadMasterKeyFile'],
    [c.enabled ? c.passwordFile : undefined, 'cloud.passwordFile'],
    [c.enabled ? c.keyFile : undefined, 'cloud.keyFile'],
    [c.cardFingerprintKeyFile, 'cloud.cardFingerprintKeyFile'],
    [config.mqtt.tls.enabled ? config.mqtt.tls.keyFile : undefined, 'mqtt.tls.keyFile'],
  ];
  return entries.flatMap(([file, what]) => (file ? [{ file, what }] : []));
}

/** NTAG 424 DNA keys, from the config inline (demo, tests) or from their key files (a real box). */
export function secureCardKeys(
  sc: Config['redemption']['secureCards'],
): { sdmMetaReadKey: string; fileReadMasterKey: string } | undefined {
  if (!sc) return undefined;
  const key = (inline: string | undefined, file: string | undefined, what: string) => {
    const hex = inline ?? (file ? readSecretFile(file, what) : '');
    if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new Error(`${file ?? what}: expected an AES-128 key as 32 hex digits`);
    return hex;
  };
  return {
    sdmMetaReadKey: key(sc.sdmMetaReadKey, sc.sdmMetaReadKeyFile, 'redemption.secureCards.sdmMetaReadKeyFile'),
    fileReadMasterKey: key(
      sc.fileReadMasterKey,
      sc.fileReadMasterKeyFile,
      'redemption.secureCards.fileReadMasterKeyFile',
    ),
  };
}

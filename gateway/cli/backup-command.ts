import { Command } from 'commander';
import { DamagedBackupError, WrongKeyError } from '../backup/backup-crypto.ts';
import { backupSecret } from '../backup/backup-key.ts';
import { makeBackup } from '../backup/make-backup.ts';
import { RestoreWhileRunningError, restoreBackup } from '../backup/restore-backup.ts';
import { UnusableBackupError } from '../backup/verify-backup.ts';
import { systemClock } from '../core/clock.ts';
import { configFrom, print, withDataOptions, type CommonOptions } from './common.ts';
import { UserError } from './user-error.ts';

interface KeyOptions extends CommonOptions {
  keyFile?: string;
  passphraseFile?: string;
}

const withKeyOptions = (cmd: Command): Command =>
  cmd
    .option('--key-file <file>', 'a 32-byte key file, 0600 (openssl rand -hex 32); default backup.keyFile')
    .option('--passphrase-file <file>', 'a passphrase on its first line, 0600; or env LINLI_BACKUP_PASSPHRASE');

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const when = (at: number) => new Date(at).toISOString();

/** The key from the options, else from the config's backup section, else the environment. */
function secretOf(opts: KeyOptions, config: ReturnType<typeof configFrom>) {
  const fromOpts = opts.keyFile !== undefined || opts.passphraseFile !== undefined;
  try {
    return backupSecret(
      fromOpts
        ? { keyFile: opts.keyFile, passphraseFile: opts.passphraseFile }
        : { keyFile: config.backup.keyFile, passphraseFile: config.backup.passphraseFile },
    );
  } catch (err) {
    throw new UserError((err as Error).message, 'see linli backup --help', 2, { cause: err });
  }
}

/** What a person can act on: the key, the file, a running gateway; anything else is reported as it is. */
function friendly(err: unknown): unknown {
  if (err instanceof WrongKeyError)
    return new UserError(err.message, 'give the key file or passphrase this backup was made with', 4, { cause: err });
  if (err instanceof DamagedBackupError || err instanceof UnusableBackupError)
    return new UserError(err.message, 'use another backup (an older one on the stick)', 5, { cause: err });
  if (err instanceof RestoreWhileRunningError)
    return new UserError(err.message, 'stop it first (sudo systemctl stop linli), then restore', 1, { cause: err });
  return err;
}

export function backupCommand(): Command {
  return withKeyOptions(
    withDataOptions(
      new Command('backup')
        .description(
          'write an encrypted, verified backup (database snapshot, secrets, config, local CA); ' +
            'safe beside a running gateway',
        )
        .option('-o, --out <file-or-folder>', 'where to write it (default: backup.target from the config)'),
    ),
  ).action(async (opts: KeyOptions & { out?: string }) => {
    const config = configFrom(opts);
    const target = opts.out ?? config.backup.target;
    if (!target) throw new UserError('give --out FILE-OR-FOLDER (or set backup.target in the config)', undefined, 2);
    const secret = secretOf(opts, config);
    const started = performance.now();
    const r = await makeBackup({
      dataDir: config.dataDir,
      gatewayId: config.gateway.id,
      secret,
      target,
      configFile: opts.config ?? process.env.LINLI_CONFIG,
      effectiveConfig: config,
      now: () => systemClock.now(),
    }).catch((err: unknown) => {
      throw friendly(err);
    });
    const seconds = (performance.now() - started) / 1000;
    print(
      opts,
      { ...r, seconds: Math.round(seconds * 100) / 100 },
      `backup written and verified: ${r.file} (${mb(r.bytes)}, ${seconds.toFixed(1)} s)\n` +
        `  gateway ${config.gateway.id}, snapshot ${when(r.createdAt)}, schema ${r.facts.schemaVersion}\n` +
        `  ${r.facts.counts.members} members, ${r.facts.counts.redemptions} redemptions, ` +
        `ledger ${r.ledger.entries} entries OK; integrity_check ok\n` +
        `  holds ${r.entries.map((e) => e.name).join(', ')}`,
    );
  });
}

export function restoreCommand(): Command {
  return withKeyOptions(
    withDataOptions(
      new Command('restore')
        .description(
          'restore a backup into the data folder (the gateway must be stopped); the old content is kept aside',
        )
        .argument('<file>', 'the backup file (.linlibak)'),
    ),
  ).action(async (file: string, opts: KeyOptions) => {
    const config = configFrom(opts);
    const secret = secretOf(opts, config);
    const started = performance.now();
    const r = await restoreBackup({ file, dataDir: config.dataDir, secret, now: () => systemClock.now() }).catch(
      (err: unknown) => {
        throw friendly(err);
      },
    );
    const seconds = (performance.now() - started) / 1000;
    print(
      opts,
      { ...r, seconds: Math.round(seconds * 100) / 100 },
      `restored ${file} into ${r.dataDir} (${seconds.toFixed(1)} s)\n` +
        `  gateway ${r.gatewayId}, snapshot of ${when(r.snapshotAt)}, schema ${r.schemaVersion}\n` +
        `  ${r.counts.members} members, ${r.counts.redemptions} redemptions, ${r.counts.devices} devices, ` +
        `ledger ${r.ledger.entries} entries OK; integrity_check ok\n` +
        `  cloud epoch ${r.epoch.backup ?? '(none)'} -> ${r.epoch.now}: events after the backup are recovered ` +
        'from the cloud, never sent again under old ids\n' +
        (r.previous ? `  the previous content is kept in ${r.previous} (delete it when all is well)\n` : '') +
        (r.configFiles.length > 0
          ? `  the config at backup time: ${r.configFiles.join(', ')} (not put in place)\n`
          : '') +
        '  start the gateway again (sudo systemctl start linli)',
    );
  });
}

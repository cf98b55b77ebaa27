import { readLastBackup } from '../backup/last-backup.ts';
import type { Check } from './context.ts';
import { fail, ok, warn } from './finding.ts';

const DAY = 86_400_000;
/** Days after which the last verified backup is getting old, and too old. */
export const BACKUP_WARN_DAYS = 2;
export const BACKUP_FAIL_DAYS = 7;

const FIX = 'linli backup --key-file KEY --out /media/usb (a second medium); schedule it: backup.enabled in the config';

/** How old the last verified backup is, from its record beside the database (the medium may be unplugged). */
export const backupCheck: Check = {
  id: 'backup',
  async run(ctx) {
    const last = readLastBackup(ctx.config.dataDir);
    if (!last)
      return [fail('backup', "no backup was ever made of this data folder: residents' balances exist only here", FIX)];
    const ageMs = ctx.now() - last.at;
    const age = ageMs < DAY ? `${Math.max(0, Math.round(ageMs / 3_600_000))} h` : `${(ageMs / DAY).toFixed(1)} days`;
    const when = `${new Date(last.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    if (!last.verified)
      return [fail('backup', `the last backup (${when}, ${last.file}) could not be verified after writing`, FIX)];
    const text = `last verified backup ${age} ago (${when}), ${last.file}`;
    if (ageMs > BACKUP_FAIL_DAYS * DAY) return [fail('backup', text, FIX)];
    if (ageMs > BACKUP_WARN_DAYS * DAY) return [warn('backup', text, FIX)];
    return [ok('backup', text)];
  },
};

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_SUFFIX } from './make-backup.ts';

/**
 * Deletes this gateway's oldest backups in `folder` beyond `keep`, and its partial files left by a
 * backup cut short. Called only right after a backup verified, so the newest kept is a good one; another
 * gateway's files and anything else on the stick are never touched. Names sort by time.
 */
export function pruneBackups(folder: string, gatewayId: string, keep: number): string[] {
  if (keep < 1) throw new Error('retention must keep at least one backup');
  const prefix = `${gatewayId}-`;
  const names = readdirSync(folder).filter((n) => n.startsWith(prefix));
  const full = names.filter((n) => n.endsWith(BACKUP_SUFFIX) && /^\d{8}-\d{6}Z(-\d+)?$/.test(stampOf(n, prefix)));
  const partial = names.filter((n) => n.includes(`${BACKUP_SUFFIX}.partial-`));
  const old = full.sort().slice(0, Math.max(0, full.length - keep));
  const removed = [...old, ...partial];
  for (const n of removed) rmSync(join(folder, n), { force: true });
  return removed;
}

const stampOf = (name: string, prefix: string) => name.slice(prefix.length, -BACKUP_SUFFIX.length);

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AlertCondition } from '../alerts/alert-rules.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db-type.ts';
import type { Part } from '../parts/part.ts';
import { backupSecret } from './backup-key.ts';
import { backupPlan } from './backup-config.ts';
import { pruneBackups } from './backup-retention.ts';
import { backupDue } from './backup-schedule.ts';
import { readLastBackup } from './last-backup.ts';
import { makeBackup, type BackupResult } from './make-backup.ts';

/** How often the schedule is looked at: a backup a minute late is on time. */
const LOOK_MS = 30_000;

export interface BackupStatus {
  enabled: boolean;
  running: boolean;
  lastSuccessAt: number | undefined;
  /** The last try's error while backups fail, else undefined. */
  failing: { since: number; error: string } | undefined;
}

/** The target cannot take a backup now: not there (stick not mounted), or on the data folder's own disk. */
function targetProblem(target: string, dataDir: string, separateMedium: boolean): string | undefined {
  let dev: number;
  try {
    const st = statSync(target);
    if (!st.isDirectory()) return `the backup target ${target} is not a folder`;
    dev = st.dev;
  } catch {
    return `the backup target ${target} is not there (is the USB stick plugged in and mounted?)`;
  }
  if (separateMedium && dev === statSync(resolve(dataDir)).dev)
    return (
      `the backup target ${target} is on the same disk as the data folder (the stick is not mounted, or ` +
      'the folder is on the SD card); nothing was written. Mount the stick, or set backup.separateMedium: false'
    );
  return undefined;
}

/**
 * Scheduled backups inside the running gateway, looked at every LOOK_MS on the injected clock:
 * the snapshot comes from the gateway's own connection in steps, the encryption in 1 MiB pieces, each
 * with a turn of the event loop between, so devices keep being answered meanwhile. A failure is logged
 * and held as a critical `BACKUP_FAILED` alert until a backup succeeds again.
 */
export function wireBackups(d: {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  alerts: () => { reconcile(prefix: string, conditions: readonly AlertCondition[]): void } | undefined;
}): Part & { tick(): void; status(): BackupStatus; settled(): Promise<void> } {
  const b = d.config.backup;
  const log = d.log.child({ component: 'backup' });
  const plan = backupPlan(b);
  let lastSuccessAt = readLastBackup(d.config.dataDir)?.at;
  let attemptAt: number | undefined = lastSuccessAt;
  let failing: BackupStatus['failing'];
  let running: Promise<void> | undefined;
  const stopping = new AbortController();
  let stopTimer: (() => void) | undefined;

  const raise = () =>
    d.alerts()?.reconcile(
      'backup:',
      failing
        ? [
            {
              key: 'backup:failed',
              deviceId: null,
              code: 'BACKUP_FAILED',
              severity: 'critical',
              message: failing.error,
            },
          ]
        : [],
    );

  const run = async (now: number): Promise<void> => {
    attemptAt = now;
    const target = b.target as string;
    try {
      const problem = targetProblem(target, d.config.dataDir, b.separateMedium);
      if (problem) throw new Error(problem);
      const started = d.clock.monotonic();
      const r: BackupResult = await makeBackup({
        dataDir: d.config.dataDir,
        gatewayId: d.config.gateway.id,
        secret: backupSecret({ keyFile: b.keyFile, passphraseFile: b.passphraseFile }, {}),
        target,
        source: d.db,
        effectiveConfig: d.config,
        now: () => d.clock.now(),
        signal: stopping.signal,
      });
      const removed = pruneBackups(target, d.config.gateway.id, b.keep);
      lastSuccessAt = r.createdAt;
      failing = undefined;
      log.info(
        { file: r.file, bytes: r.bytes, ms: Math.round(d.clock.monotonic() - started), removed },
        'backup written and verified',
      );
    } catch (err) {
      if (stopping.signal.aborted) {
        log.info('backup abandoned: the gateway is stopping');
        return;
      }
      failing = { since: failing?.since ?? now, error: `scheduled backup failed: ${(err as Error).message}` };
      log.error({ err, target }, failing.error);
    }
    raise();
  };

  const tick = () => {
    if (!b.enabled || running || stopping.signal.aborted) return;
    const now = d.clock.now();
    if (!backupDue(plan, d.config.gateway.timezone, now, { successAt: lastSuccessAt, attemptAt })) return;
    running = run(now).finally(() => {
      running = undefined;
    });
  };

  return {
    name: 'backups',
    start: () => {
      if (b.enabled) stopTimer = d.clock.every(LOOK_MS, tick);
    },
    tick,
    status: () => ({ enabled: b.enabled, running: running !== undefined, lastSuccessAt, failing }),
    settled: async () => {
      await running;
    },
    /** A backup under way is abandoned (its partial file removed) so the database can close. */
    stop: async () => {
      stopTimer?.();
      stopping.abort(new Error('the gateway is stopping'));
      await running;
    },
  };
}

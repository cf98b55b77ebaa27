import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertCondition } from '../../gateway/alerts/alert-rules.ts';
import { backupPlan } from '../../gateway/backup/backup-config.ts';
import { pruneBackups } from '../../gateway/backup/backup-retention.ts';
import { backupDue, lastDailySlot, RETRY_MS } from '../../gateway/backup/backup-schedule.ts';
import { readLastBackup } from '../../gateway/backup/last-backup.ts';
import { wireBackups } from '../../gateway/backup/wire-backups.ts';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';
import { keyFile } from './backup-support.ts';

const H = 3600_000;
/** 02:00 in Shanghai (UTC+8) on 1 December 2026. */
const T0 = Date.UTC(2026, 10, 30, 18, 0);

describe('when a scheduled backup is due', () => {
  it('the daily slot is a time of day in the community timezone', () => {
    // 10:00 Shanghai: today's 03:30 (19:30 UTC the day before) has passed
    expect(lastDailySlot(Date.UTC(2026, 11, 1, 2, 0), 3, 30, 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 30, 19, 30));
    // 02:00 Shanghai: not yet, so yesterday's
    expect(lastDailySlot(T0, 3, 30, 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 29, 19, 30));
    expect(lastDailySlot(Date.UTC(2026, 10, 30, 19, 30), 3, 30, 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 30, 19, 30));
    // a timezone with daylight saving: 03:30 in Berlin is 01:30 UTC in summer, 02:30 UTC in winter
    expect(lastDailySlot(Date.UTC(2026, 6, 1, 12), 3, 30, 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 1, 30));
    expect(lastDailySlot(Date.UTC(2026, 11, 1, 12), 3, 30, 'Europe/Berlin')).toBe(Date.UTC(2026, 11, 1, 2, 30));
  });

  it('once per slot or interval; a failed try waits RETRY_MS; a clock moved back does not start a storm', () => {
    const daily = backupPlan({ at: '03:30' });
    const slot = Date.UTC(2026, 10, 30, 19, 30);
    const due = (now: number, successAt?: number, attemptAt?: number) =>
      backupDue(daily, 'Asia/Shanghai', now, { successAt, attemptAt });
    expect(due(slot - 1, slot - 24 * H + 5, slot - 24 * H + 5)).toBe(false);
    expect(due(slot, slot - 24 * H + 5, slot - 24 * H + 5)).toBe(true);
    expect(due(slot + 5 * H, slot + 1000, slot + 1000)).toBe(false);
    expect(due(slot + 60_000, slot - 24 * H, slot)).toBe(false); // failed at the slot: retry later
    expect(due(slot + RETRY_MS, slot - 24 * H, slot)).toBe(true);
    expect(due(slot)).toBe(true); // never made one: now
    const every = backupPlan({ everyH: 6 });
    expect(backupDue(every, 'UTC', 10 * H, { successAt: 5 * H, attemptAt: 5 * H })).toBe(false);
    expect(backupDue(every, 'UTC', 11 * H, { successAt: 5 * H, attemptAt: 5 * H })).toBe(true);
    expect(backupDue(every, 'UTC', 11 * H, { successAt: 5 * H, attemptAt: 11 * H - 1 })).toBe(false);
  });

  it('the config refuses what cannot work', () => {
    const parse = (backup: unknown) => ConfigSchema.safeParse({ backup });
    expect(parse({ enabled: true, target: '/media/usb' }).success).toBe(false);
    expect(parse({ enabled: true, keyFile: '/etc/linli/backup.key' }).success).toBe(false);
    expect(parse({ enabled: true, target: 'usb', keyFile: '/k' }).success).toBe(false);
    expect(parse({ at: '03:30', everyH: 6 }).success).toBe(false);
    expect(parse({ at: '25:00' }).success).toBe(false);
    expect(parse({ enabled: true, target: '/media/usb/linli-backups', keyFile: '/etc/linli/backup.key' }).success).toBe(
      true,
    );
  });
});

describe('scheduled backups in the running gateway', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let dataDir: string;
  let target: string;
  let alerts: AlertCondition[][];
  beforeEach(() => {
    tmp = tempDir('linli-sched-');
    dataDir = join(tmp.dir, 'data');
    target = join(tmp.dir, 'stick');
    mkdirSync(target);
    store = new Store(dataDir);
    alerts = [];
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const wire = (clock: ManualClock, backup: Record<string, unknown>) => {
    const config = ConfigSchema.parse({
      dataDir,
      backup: { enabled: true, target, keyFile: keyFile(tmp.dir), separateMedium: false, ...backup },
    });
    const w = wireBackups({
      config,
      db: store.db,
      clock,
      log: silentLogger(),
      alerts: () => ({ reconcile: (_prefix, c) => alerts.push([...c]) }),
    });
    w.start?.();
    return w;
  };
  const files = () => readdirSync(target).sort();
  const step = async (clock: ManualClock, w: ReturnType<typeof wire>, ms: number) => {
    clock.advance(ms);
    await w.settled();
  };

  it('at 03:30 local each day, verified, the oldest beyond keep deleted; a clock jumping days makes one', async () => {
    const clock = new ManualClock(T0);
    const w = wire(clock, { at: '03:30', keep: 2 });
    try {
      await step(clock, w, 30_000); // never backed up: the first look makes one
      expect(files()).toEqual(['linli-gw-20261130-180030Z.linlibak']);
      expect(readLastBackup(dataDir)?.verified).toBe(true);
      await step(clock, w, 1 * H); // 03:00:30 local: not yet
      expect(files()).toHaveLength(1);
      await step(clock, w, 30 * 60_000); // 03:30:30
      expect(files()).toEqual(['linli-gw-20261130-180030Z.linlibak', 'linli-gw-20261130-193030Z.linlibak']);
      await step(clock, w, 24 * H);
      expect(files()).toEqual(['linli-gw-20261130-193030Z.linlibak', 'linli-gw-20261201-193030Z.linlibak']);
      // NTP moves the wall clock three days on: one backup, not three
      clock.advanceWall(3 * 24 * H);
      await step(clock, w, 30_000);
      await step(clock, w, 30_000);
      expect(files()).toEqual(['linli-gw-20261201-193030Z.linlibak', 'linli-gw-20261204-193100Z.linlibak']);
      // and back by a day: nothing
      clock.advanceWall(-24 * H);
      await step(clock, w, 60_000);
      expect(files()).toHaveLength(2);
      expect(w.status().failing).toBeUndefined();
      expect(alerts.at(-1)).toEqual([]);
    } finally {
      await w.stop?.();
    }
  });

  it('an unplugged stick: a logged failure and a critical alert, nothing written, a retry later', async () => {
    const clock = new ManualClock(T0);
    const missing = join(tmp.dir, 'media', 'usb', 'linli-backups');
    const w = wire(clock, { target: missing, at: '03:30' });
    try {
      await step(clock, w, 30_000);
      expect(w.status().failing?.error).toMatch(/not there \(is the USB stick plugged in and mounted\?\)/);
      expect(alerts.at(-1)).toMatchObject([{ code: 'BACKUP_FAILED', severity: 'critical', key: 'backup:failed' }]);
      expect(existsSync(join(tmp.dir, 'media'))).toBe(false);
      expect(readLastBackup(dataDir)).toBeUndefined();
      await step(clock, w, 60_000);
      expect(alerts).toHaveLength(1); // no retry within RETRY_MS
      mkdirSync(missing, { recursive: true }); // plugged in
      await step(clock, w, RETRY_MS);
      expect(readdirSync(missing)).toHaveLength(1);
      expect(w.status().failing).toBeUndefined();
      expect(alerts.at(-1)).toEqual([]);
    } finally {
      await w.stop?.();
    }
  });

  it('a target on the data folder own disk (the mount point underneath) is refused', async () => {
    const clock = new ManualClock(T0);
    const w = wire(clock, { separateMedium: true });
    try {
      await step(clock, w, 30_000);
      expect(w.status().failing?.error).toMatch(/same disk as the data folder/);
      expect(files()).toEqual([]);
    } finally {
      await w.stop?.();
    }
  });

  it('retention touches only this gateway finished backups, never the newest', () => {
    for (const n of [
      'linli-gw-20261101-000000Z.linlibak',
      'linli-gw-20261102-000000Z.linlibak',
      'linli-gw-20261103-000000Z.linlibak',
      'linli-gw-20261103-000000Z.linlibak.partial-ab12',
      'other-gw-20261101-000000Z.linlibak',
      'notes.txt',
    ])
      writeFileSync(join(target, n), 'x');
    expect(pruneBackups(target, 'linli-gw', 1)).toEqual([
      'linli-gw-20261101-000000Z.linlibak',
      'linli-gw-20261102-000000Z.linlibak',
      'linli-gw-20261103-000000Z.linlibak.partial-ab12',
    ]);
    expect(files()).toEqual(['linli-gw-20261103-000000Z.linlibak', 'notes.txt', 'other-gw-20261101-000000Z.linlibak']);
  });
});

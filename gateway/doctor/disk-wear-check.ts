import type { Check } from './context.ts';
import { nearestFolder } from './nearest-folder.ts';
import { CARD_ENDURANCE_BYTES, writeRate, yearsLeft } from './disk-wear.ts';
import { fail, ok, warn } from './finding.ts';

/** Under this much time since boot the rate says more about the boot than about the gateway. */
const MIN_UPTIME_S = 3600;
export const WEAR_WARN_YEARS = 5;
export const WEAR_FAIL_YEARS = 1;

/** SD-card wear: what the device holding the data folder has written per day since boot. */
export const diskWearCheck: Check = {
  id: 'disk-wear',
  async run(ctx) {
    const folder = await nearestFolder(ctx.io, ctx.config.dataDir);
    const dir = folder?.path ?? ctx.config.dataDir;
    const info = folder?.info;
    const [stats, uptime] = await Promise.all([ctx.io.readText('/proc/diskstats'), ctx.io.readText('/proc/uptime')]);
    if (!info || stats === undefined || uptime === undefined)
      return [
        warn('disk-wear', 'cannot read /proc/diskstats or /proc/uptime: write rate unknown', 'run doctor on Linux'),
      ];
    const rate = writeRate(stats, uptime, info.dev);
    if (!rate)
      return [
        ok('disk-wear', `${dir} is not on a block device (${info.dev.major}:${info.dev.minor}): no card to wear`),
      ];
    const gbDay = rate.bytesPerDay / 1e9;
    const days = rate.uptimeS / 86_400;
    if (rate.uptimeS < MIN_UPTIME_S)
      return [
        ok('disk-wear', `${rate.device}: up ${Math.round(rate.uptimeS / 60)} min only, too early for a write rate`),
      ];
    const years = yearsLeft(rate.bytesPerDay);
    const text =
      `${rate.device} writes ${gbDay.toFixed(2)} GB/day (all programs, ${days.toFixed(1)} days since boot); ` +
      `a common card (~${CARD_ENDURANCE_BYTES / 1e12} TB of writes) lasts ` +
      `~${years >= 100 ? '100+' : years.toFixed(1)} years`;
    const fix =
      'find the writer: sudo iotop -ao; keep the journal in RAM (Storage=volatile in journald.conf); ' +
      'an SSD or a high-endurance card';
    if (years < WEAR_FAIL_YEARS) return [fail('disk-wear', text, fix)];
    if (years < WEAR_WARN_YEARS) return [warn('disk-wear', text, fix)];
    return [ok('disk-wear', text)];
  },
};

import type { BackupPlan } from './backup-config.ts';

/** After a failed scheduled backup (stick unplugged), the next try: soon enough to catch a plugged-in one. */
export const RETRY_MS = 30 * 60_000;

/** Minutes the timezone is ahead of UTC at instant `t` (Asia/Shanghai: +480). */
function offsetMinutes(t: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - (t - (t % 1000))) / 60_000);
}

/** The latest instant at or before `now` when the wall clock in `timezone` read hour:minute. */
export function lastDailySlot(now: number, hour: number, minute: number, timezone: string): number {
  const local = new Date(now + offsetMinutes(now, timezone) * 60_000);
  const at = (dayShift: number) => {
    const guess = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + dayShift, hour, minute);
    // the offset at the slot itself (a daylight-saving change between it and now moves it by an hour)
    return guess - offsetMinutes(guess - offsetMinutes(guess, timezone) * 60_000, timezone) * 60_000;
  };
  const today = at(0);
  return today <= now ? today : at(-1);
}

/**
 * Whether a scheduled backup is due now: none succeeded since the last slot (daily) or within the
 * interval (every), and no failed try in the last RETRY_MS. A gateway that was off at the slot (or never
 * made a backup) makes it when it next looks.
 */
export function backupDue(
  plan: BackupPlan,
  timezone: string,
  now: number,
  last: { successAt: number | undefined; attemptAt: number | undefined },
): boolean {
  const retryOk = last.attemptAt === undefined || now - last.attemptAt >= RETRY_MS || now < last.attemptAt;
  if (plan.kind === 'every') {
    if (last.successAt !== undefined && now - last.successAt < plan.ms && now >= last.successAt) return false;
    return last.attemptAt === last.successAt || retryOk;
  }
  const slot = lastDailySlot(now, plan.hour, plan.minute, timezone);
  if (last.successAt !== undefined && last.successAt >= slot && last.successAt <= now) return false;
  return last.attemptAt === undefined || last.attemptAt < slot || retryOk;
}

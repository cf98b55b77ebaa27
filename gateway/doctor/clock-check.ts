import type { Check, DoctorContext } from './context.ts';
import { fail, type Finding, ok, warn } from './finding.ts';

type Sync = { synced: boolean | undefined; by: string };

/**
 * Whether the system clock is kept by NTP: systemd's own answer first, then chrony's, then ntpd's.
 * Each answers in its own words; a tool that is missing or says nothing clear passes to the next.
 */
export async function systemClockSync(ctx: DoctorContext): Promise<Sync> {
  const td = await ctx.io.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  const answer = td?.code === 0 ? td.stdout.trim() : '';
  if (answer === 'yes' || answer === 'no') return { synced: answer === 'yes', by: 'timedatectl' };
  const chrony = await ctx.io.run('chronyc', ['tracking']);
  const leap = chrony?.code === 0 ? /^Leap status\s*:\s*(.+)$/m.exec(chrony.stdout)?.[1]?.trim() : undefined;
  if (leap) return { synced: leap !== 'Not synchronised', by: 'chronyc' };
  // ntpstat: 0 synchronised, 1 not, 2 cannot tell
  const ntp = await ctx.io.run('ntpstat', []);
  if (ntp?.code === 0 || ntp?.code === 1) return { synced: ntp.code === 0, by: 'ntpstat' };
  return { synced: undefined, by: 'none' };
}

const FIX_SYNC = 'sudo timedatectl set-ntp true (and let the box reach an NTP server, e.g. ntp.aliyun.com)';

const GATEWAY_CLOCK: Record<string, (offset: string) => Finding> = {
  ok: () => ok('clock.gateway', 'the gateway trusts its clock (it agrees with the cloud)'),
  unsynced: () => ok('clock.gateway', 'the gateway has seen no cloud time yet to compare its clock with'),
  skewed: (o) =>
    warn('clock.gateway', `the gateway's clock is off from the cloud's by ${o}`, 'fix the system clock sync (above)'),
  jumped: () =>
    warn(
      'clock.gateway',
      'the gateway saw its wall clock jump in the last 10 minutes: expiries are not trusted meanwhile',
      'nothing if NTP just caught up; else find what sets the clock',
    ),
  behind: (o) =>
    fail(
      'clock.gateway',
      `the gateway's clock is behind the last time it saw${o ? ` (${o})` : ''}: a stale hotlist looks fresh`,
      FIX_SYNC,
    ),
};

/** The system clock's NTP sync, and the running gateway's own trust in its clock. */
export const clockCheck: Check = {
  id: 'clock',
  async run(ctx) {
    const sync = await systemClockSync(ctx);
    const found: Finding[] = [
      sync.synced === true
        ? ok('clock.sync', `the system clock is synchronised (${sync.by})`)
        : sync.synced === false
          ? warn(
              'clock.sync',
              `the system clock is not synchronised (${sync.by}): TLS and tokens need the time`,
              FIX_SYNC,
            )
          : warn(
              'clock.sync',
              'cannot tell whether the system clock is synchronised (no timedatectl, chronyc or ntpstat)',
              FIX_SYNC,
            ),
    ];
    const clock = ctx.runtime?.clock;
    if (clock) {
      const offset = clock.offsetMs === null ? '' : `${Math.round(clock.offsetMs / 1000)} s`;
      found.push(GATEWAY_CLOCK[clock.state]?.(offset) ?? warn('clock.gateway', `clock state ${clock.state}`, ''));
    }
    return found;
  },
};

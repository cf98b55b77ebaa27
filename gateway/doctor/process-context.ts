import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { userName } from './cli-context.ts';
import type { DoctorContext, RuntimeState } from './context.ts';
import { systemIo } from './system-io.ts';

/** What doctor reads of the running gateway (its clock trust and cloud link), without importing them. */
export interface GatewayView {
  readonly config: Config;
  readonly clock: { now(): number };
  readonly clockHealth: { status(): { state: NonNullable<RuntimeState['clock']>['state']; offsetMs: number | null } };
  readonly cloud: { status(): { connected: boolean; backlog: readonly { events: number }[] } } | undefined;
}

/** Doctor inside the running gateway (GET /api/v1/doctor): its files are this process's user's. */
export function processContext(gw: GatewayView): DoctorContext {
  const uid = process.getuid?.() ?? 0;
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // no user names: uids are shown
  }
  const name = userName(passwd, uid);
  const clock = gw.clockHealth.status();
  const cloud = gw.cloud?.status();
  return {
    config: gw.config,
    now: () => gw.clock.now(),
    io: systemIo,
    owner: { uid, name },
    user: { uid, gids: process.getgroups?.() ?? [], name },
    gateway: 'this-process',
    runtime: {
      clock: { state: clock.state, offsetMs: clock.offsetMs },
      ...(cloud
        ? {
            cloud: {
              enabled: true,
              connected: cloud.connected,
              backlogEvents: cloud.backlog.reduce((n, b) => n + b.events, 0),
            },
          }
        : {}),
    },
  };
}

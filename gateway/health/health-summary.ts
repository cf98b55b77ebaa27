import type { LiveDevice } from './live-device.ts';

/** Device health in numbers, for the periodic telemetry summary. */
export function healthSummary(devices: readonly LiveDevice[], connections: number, at: number) {
  const byStatus: Record<string, number> = { ok: 0, degraded: 0, fault: 0, offline: 0, unknown: 0 };
  const byKind: Record<string, { total: number; online: number }> = {};
  for (const d of devices) {
    byStatus[d.verdict.status] = (byStatus[d.verdict.status] ?? 0) + 1;
    const k = byKind[d.kind] ?? { total: 0, online: 0 };
    byKind[d.kind] = k;
    k.total += 1;
    if (d.presence === 'online') k.online += 1;
  }
  return { devices: byStatus, byKind, connections, at };
}

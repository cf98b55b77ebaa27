import type { HealthFinding } from '../../devices/adapter.ts';
import type { HealthReason, HealthStatus } from '../store/health-repo.ts';

export type Presence = 'online' | 'offline' | 'never_seen' | 'awaiting';

export interface HealthInput {
  presence: Presence;
  disabled: boolean;
  /** Why the device is offline: a stable code and when (wall ms). */
  offline?: { code: string; message: string };
  /** Faults and warnings the device reported itself [FWP-7.1]. */
  faults: readonly string[];
  warnings: readonly string[];
  /** Findings of the kind's adapter on the latest telemetry. */
  kindFindings: readonly HealthFinding[];
  /** Openings (doors, compartments) with how long each has been open, in seconds. */
  openFor: ReadonlyMap<string, number>;
  doorOpenAlertS: number;
  flapping: { disconnects: number; windowS: number } | undefined;
}

export interface HealthVerdict {
  status: HealthStatus;
  reasons: HealthReason[];
  /** How many of the leading reasons are faults (the rest only degrade); alerts grade their severity by it. */
  faults?: number;
}

/** Derives a device's status and human-readable reasons from what is known about it. Pure. */
export function evaluateHealth(i: HealthInput): HealthVerdict {
  if (i.disabled)
    return { status: 'offline', reasons: [{ code: 'DISABLED', message: 'the device is disabled by staff' }] };
  if (i.presence === 'never_seen') {
    return {
      status: 'unknown',
      reasons: [{ code: 'NEVER_CONNECTED', message: 'the device has not connected since it was provisioned' }],
    };
  }
  if (i.presence === 'awaiting') {
    // Homie: after a gateway restart a known device is unknown, not offline, until it had time to come back
    return {
      status: 'unknown',
      reasons: [
        { code: 'AWAITING_RECONNECT', message: 'waiting for the device to reconnect after the gateway started' },
      ],
    };
  }
  if (i.presence === 'offline') {
    return { status: 'offline', reasons: [i.offline ?? { code: 'OFFLINE', message: 'the device is offline' }] };
  }
  const faults: HealthReason[] = i.faults.map((code) => ({
    code: `DEVICE_FAULT:${code}`,
    message: `the device reports fault ${code}`,
  }));
  const degraded: HealthReason[] = i.warnings.map((code) => ({
    code: `DEVICE_WARNING:${code}`,
    message: `the device reports warning ${code}`,
  }));
  for (const f of i.kindFindings)
    (f.severity === 'fault' ? faults : degraded).push({ code: f.code, message: f.message });
  for (const [opening, seconds] of [...i.openFor].sort(([a], [b]) => a.localeCompare(b))) {
    if (seconds >= i.doorOpenAlertS) {
      degraded.push({ code: 'DOOR_LEFT_OPEN', message: `${opening} has been open for ${formatDuration(seconds)}` });
    }
  }
  if (i.flapping) {
    degraded.push({
      code: 'FLAPPING',
      message: `${i.flapping.disconnects} disconnects in the last ${formatDuration(i.flapping.windowS)}`,
    });
  }
  if (faults.length > 0) return { status: 'fault', reasons: [...faults, ...degraded], faults: faults.length };
  if (degraded.length > 0) return { status: 'degraded', reasons: degraded };
  return { status: 'ok', reasons: [] };
}

export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** True when two verdicts would tell staff the same thing (status and reason codes), so no new event is needed. */
export function sameVerdict(a: HealthVerdict, b: HealthVerdict): boolean {
  return a.status === b.status && a.reasons.map((r) => r.code).join('|') === b.reasons.map((r) => r.code).join('|');
}

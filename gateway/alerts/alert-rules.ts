import type { HealthVerdict } from '../health/evaluate.ts';
import type { AlertSeverity } from './alert-types.ts';

/** A condition that should have an open alert while it holds. Its key is what makes two sightings one alert. */
export interface AlertCondition {
  key: string;
  deviceId: string | null;
  code: string;
  severity: AlertSeverity;
  message: string;
}

/** Reasons staff caused or that say nothing yet: no alert for them. */
const NOT_ALERTS = new Set(['DISABLED', 'NEVER_CONNECTED', 'AWAITING_RECONNECT']);

/** Device-reported faults and the kinds' fault findings need someone now; everything else can wait for a round. */
function severityOf(code: string, status: HealthVerdict['status'], faultCodes: ReadonlySet<string>): AlertSeverity {
  if (code === 'FLAPPING') return 'info';
  if (status === 'offline') return 'warning';
  return faultCodes.has(code) ? 'critical' : 'warning';
}

export const deviceAlertKey = (deviceId: string, code: string) => `device:${deviceId}:${code}`;
export const deviceSource = (deviceId: string) => `device:${deviceId}:`;

/**
 * The alerts a device's health verdict calls for: one per reason code (two doors left open are one alert
 * of that device, whose text names both), offline as one OFFLINE alert whatever the cause. Pure.
 */
export function deviceConditions(deviceId: string, verdict: HealthVerdict): AlertCondition[] {
  const byCode = new Map<string, AlertCondition>();
  // a fault verdict lists its faults first, then what is merely degraded
  const faultCodes = new Set(
    verdict.status === 'fault'
      ? verdict.reasons.slice(0, verdict.faults ?? verdict.reasons.length).map((r) => r.code)
      : [],
  );
  for (const r of verdict.reasons) {
    if (NOT_ALERTS.has(r.code)) continue;
    const code = verdict.status === 'offline' ? 'OFFLINE' : r.code;
    const seen = byCode.get(code);
    if (seen) {
      seen.message = `${seen.message}; ${r.message}`;
      continue;
    }
    byCode.set(code, {
      key: deviceAlertKey(deviceId, code),
      deviceId,
      code,
      severity: severityOf(r.code, verdict.status, faultCodes),
      message: r.message,
    });
  }
  return [...byCode.values()];
}

/** What the gateway knows about itself that staff must hear of. */
export interface GatewayConditionsInput {
  /** Undefined when cloud sync is off. */
  cloud: { connected: boolean; downForMs: number; overBudget: boolean; backlogEvents: number } | undefined;
  /** How long the cloud link may be down before it is an alert: a short drop is normal on a home line. */
  cloudDownAlertMs: number;
  clock: { state: 'ok' | 'unsynced' | 'skewed' | 'behind' | 'jumped'; offsetMs: number | null };
  hotlistStale: boolean;
  /** A restored database still lacks what the lost box approved after the backup [CLP-5.12]. */
  restorePending?: boolean;
}

const gatewayCondition = (code: string, severity: AlertSeverity, message: string): AlertCondition => ({
  key: `gateway:${code}`,
  deviceId: null,
  code,
  severity,
  message,
});

/** The gateway's own alerts: cloud link down, outbox over budget, clock untrusted, hotlist stale. Pure. */
export function gatewayConditions(i: GatewayConditionsInput): AlertCondition[] {
  const out: AlertCondition[] = [];
  if (i.cloud && !i.cloud.connected && i.cloud.downForMs >= i.cloudDownAlertMs) {
    const min = Math.floor(i.cloud.downForMs / 60_000);
    out.push(
      gatewayCondition(
        'CLOUD_LINK_DOWN',
        'warning',
        `the cloud link has been down for ${min} min; ${i.cloud.backlogEvents} events wait to be sent`,
      ),
    );
  }
  if (i.cloud?.overBudget)
    out.push(
      gatewayCondition(
        'OUTBOX_OVER_BUDGET',
        'critical',
        `the outbox to the cloud is over its disk budget (${i.cloud.backlogEvents} events): routine events are dropped`,
      ),
    );
  if (i.clock.state === 'behind' || i.clock.state === 'jumped' || i.clock.state === 'skewed') {
    const off = i.clock.offsetMs === null ? '' : ` (${Math.round(i.clock.offsetMs / 1000)} s off the cloud's time)`;
    out.push(
      gatewayCondition(
        'CLOCK_UNTRUSTED',
        'warning',
        `the gateway's clock is ${i.clock.state}${off}: expiries and ages are not trusted`,
      ),
    );
  }
  if (i.hotlistStale)
    out.push(
      gatewayCondition(
        'HOTLIST_STALE',
        'critical',
        'the hotlist of lost and blocked cards is stale: a blocked card may still be accepted offline',
      ),
    );
  if (i.restorePending)
    out.push(
      gatewayCondition(
        'RESTORE_RECOVERY_PENDING',
        'critical',
        'restored from a backup: what the box approved after the backup is not back from the cloud yet; ' +
          'plain cards cannot pay until it is',
      ),
    );
  return out;
}

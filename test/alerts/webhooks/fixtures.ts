import type { Alert, AlertNotice, AlertTransition } from '../../../gateway/alerts/alert-types.ts';

/** 2026-12-01 20:05 in Shanghai. */
export const RAISED_AT = Date.UTC(2026, 11, 1, 12, 5, 0);

export function lockerAlert(over: Partial<Alert> = {}): Alert {
  return {
    id: 7,
    key: 'device:locker-1:door.open',
    deviceId: 'locker-1',
    code: 'door.open',
    severity: 'critical',
    message: '柜门已开 12 分钟',
    raisedAt: RAISED_AT,
    lastSeenAt: RAISED_AT,
    acknowledged: null,
    cleared: null,
    ...over,
  };
}

export function notice(transition: AlertTransition, over: Partial<Alert> = {}): AlertNotice {
  const alert = lockerAlert(over);
  if (transition === 'acknowledged' && !alert.acknowledged) {
    alert.acknowledged = { at: RAISED_AT + 60_000, by: '王师傅', note: '马上到' };
  }
  if (transition === 'cleared' && !alert.cleared) alert.cleared = { at: RAISED_AT + 10 * 60_000, by: null };
  return { transition, alert, deviceName: '快递柜A' };
}

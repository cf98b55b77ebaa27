import { describe, expect, it } from 'vitest';
import { deviceConditions, gatewayConditions } from '../../gateway/alerts/alert-rules.ts';
import { evaluateHealth, type HealthInput } from '../../gateway/health/evaluate.ts';

const input = (over: Partial<HealthInput>): HealthInput => ({
  presence: 'online',
  disabled: false,
  faults: [],
  warnings: [],
  kindFindings: [],
  openFor: new Map(),
  doorOpenAlertS: 120,
  flapping: undefined,
  ...over,
});

describe('alerts a device health verdict calls for', () => {
  it('grades faults critical and what only degrades warning, from the verdict itself', () => {
    const verdict = evaluateHealth(
      input({
        faults: ['E_COIN'],
        warnings: ['PAPER_LOW'],
        kindFindings: [
          { code: 'TOO_WARM', severity: 'degraded', message: 'the fridge is at 14 °C' },
          { code: 'TAMPER', severity: 'fault', message: 'the case is open' },
        ],
        openFor: new Map([['door', 600]]),
        flapping: { disconnects: 7, windowS: 600 },
      }),
    );
    const byCode = Object.fromEntries(deviceConditions('vm-1', verdict).map((c) => [c.code, c.severity]));
    expect(byCode).toEqual({
      'DEVICE_FAULT:E_COIN': 'critical',
      TAMPER: 'critical',
      'DEVICE_WARNING:PAPER_LOW': 'warning',
      TOO_WARM: 'warning',
      DOOR_LEFT_OPEN: 'warning',
      FLAPPING: 'info',
    });
  });

  it('makes two doors left open one alert that names both', () => {
    const verdict = evaluateHealth(
      input({
        openFor: new Map([
          ['a', 300],
          ['b', 400],
        ]),
      }),
    );
    const c = deviceConditions('door-1', verdict);
    expect(c).toHaveLength(1);
    expect(c[0]?.key).toBe('device:door-1:DOOR_LEFT_OPEN');
    expect(c[0]?.message).toMatch(/^a has been open .*; b has been open/);
  });

  it('says offline once whatever the cause, and nothing for a disabled, new or awaited device', () => {
    const off = evaluateHealth(
      input({ presence: 'offline', offline: { code: 'HEARTBEAT_TIMEOUT', message: 'no heartbeat' } }),
    );
    expect(deviceConditions('l-1', off)).toEqual([
      { key: 'device:l-1:OFFLINE', deviceId: 'l-1', code: 'OFFLINE', severity: 'warning', message: 'no heartbeat' },
    ]);
    for (const v of [
      evaluateHealth(input({ disabled: true })),
      evaluateHealth(input({ presence: 'never_seen' })),
      evaluateHealth(input({ presence: 'awaiting' })),
      evaluateHealth(input({})),
    ])
      expect(deviceConditions('l-1', v)).toEqual([]);
  });
});

describe("the gateway's own alerts", () => {
  const base = {
    cloud: { connected: true, downForMs: 0, overBudget: false, backlogEvents: 0 },
    cloudDownAlertMs: 300_000,
    clock: { state: 'ok' as const, offsetMs: 10 },
    hotlistStale: false,
  };

  it('raises nothing while all is well, or without a cloud', () => {
    expect(gatewayConditions(base)).toEqual([]);
    expect(gatewayConditions({ ...base, cloud: undefined })).toEqual([]);
  });

  it('waits out a short cloud drop, then raises CLOUD_LINK_DOWN with the backlog', () => {
    const down = (ms: number) =>
      gatewayConditions({ ...base, cloud: { connected: false, downForMs: ms, overBudget: false, backlogEvents: 42 } });
    expect(down(299_999)).toEqual([]);
    expect(down(600_000)).toEqual([
      expect.objectContaining({
        key: 'gateway:CLOUD_LINK_DOWN',
        severity: 'warning',
        message: expect.stringMatching(/10 min; 42 events/),
      }),
    ]);
  });

  it('raises the outbox budget, an untrusted clock and a stale hotlist', () => {
    const c = gatewayConditions({
      ...base,
      cloud: { connected: true, downForMs: 0, overBudget: true, backlogEvents: 9 },
      clock: { state: 'behind', offsetMs: -90_000 },
      hotlistStale: true,
    });
    expect(c.map((x) => [x.code, x.severity])).toEqual([
      ['OUTBOX_OVER_BUDGET', 'critical'],
      ['CLOCK_UNTRUSTED', 'warning'],
      ['HOTLIST_STALE', 'critical'],
    ]);
    expect(c[1]?.message).toContain('-90 s off');
    expect(gatewayConditions({ ...base, clock: { state: 'unsynced', offsetMs: null } })).toEqual([]);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { HealthConfigSchema } from '../../gateway/config/schema.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { DeviceMonitor, type HealthChange } from '../../gateway/health/device-monitor.ts';
import type { BirthMessage, TelemetryBody } from '../../firmware-protocol/src/messages/lifecycle.ts';

const config = HealthConfigSchema.parse({
  offlineGraceS: 30,
  heartbeatMissFactor: 3,
  flapWindowS: 600,
  flapMaxDisconnects: 3,
  doorOpenAlertS: 120,
});

function birth(bdSeq: number, heartbeatS = 30): BirthMessage {
  return {
    v: '1.0',
    id: `b-${bdSeq}`,
    ts: 0,
    seq: 0,
    type: 'birth',
    body: {
      kind: 'door_reader',
      bdSeq,
      firmware: '1.0.0',
      heartbeatS,
      capabilities: { doors: [{ id: 'main', hasDoorSensor: true }], readers: ['nfc'] },
    },
  };
}

describe('DeviceMonitor', () => {
  let clock: ManualClock;
  let changes: HealthChange[];
  let monitor: DeviceMonitor;
  const status = () => monitor.get('door-01')?.verdict.status;
  const codes = () => monitor.get('door-01')?.verdict.reasons.map((r) => r.code);

  beforeEach(() => {
    clock = new ManualClock();
    changes = [];
    monitor = new DeviceMonitor(config, clock, (c) => changes.push(c));
    monitor.track('door-01', 'door_reader', false);
  });

  it('a provisioned device that never connected is unknown', () => {
    expect(status()).toBe('unknown');
    expect(codes()).toEqual(['NEVER_CONNECTED']);
  });

  it('a device known from before the restart is unknown for the grace period, then offline', () => {
    monitor.track('door-02', 'door_reader', false, clock.now() - 1000);
    expect(monitor.get('door-02')?.verdict).toMatchObject({
      status: 'unknown',
      reasons: [{ code: 'AWAITING_RECONNECT' }],
    });
    clock.advance(29_000);
    monitor.tick();
    expect(monitor.get('door-02')?.verdict.status).toBe('unknown');
    clock.advance(1_000);
    monitor.tick();
    expect(monitor.get('door-02')?.verdict.reasons.map((r) => r.code)).toEqual(['NOT_RECONNECTED']);
  });

  it('comes online at birth and goes offline when heartbeats stop', () => {
    monitor.connected('door-01', 1, '127.0.0.1');
    monitor.birth('door-01', birth(1, 10));
    expect(status()).toBe('ok');
    clock.advance(29_000);
    monitor.tick();
    expect(status()).toBe('ok');
    monitor.seen('door-01');
    clock.advance(29_000);
    monitor.tick();
    expect(status()).toBe('ok');
    clock.advance(2_000);
    monitor.tick();
    expect(status()).toBe('offline');
    expect(codes()).toEqual(['HEARTBEAT_TIMEOUT']);
    expect(changes.map((c) => c.event)).toEqual(['provisioned', 'birth', 'heartbeat_timeout']);
  });

  it('flap damping: a short drop raises no change, a long one does', () => {
    monitor.connected('door-01', 1, 'a');
    monitor.birth('door-01', birth(1));
    const before = changes.length;
    monitor.disconnected('door-01', 1, 'lost');
    clock.advance(5_000);
    monitor.tick();
    monitor.connected('door-01', 2, 'a');
    monitor.birth('door-01', birth(2));
    expect(changes.length).toBe(before);
    expect(status()).toBe('ok');
    monitor.disconnected('door-01', 2, 'lost');
    clock.advance(29_000);
    monitor.tick();
    expect(status()).toBe('ok');
    clock.advance(1_000);
    monitor.tick();
    expect(status()).toBe('offline');
    expect(codes()).toEqual(['CONNECTION_LOST']);
  });

  it('a clean shutdown is offline at once', () => {
    monitor.connected('door-01', 1, 'a');
    monitor.birth('door-01', birth(1));
    monitor.disconnected('door-01', 1, 'clean');
    expect(status()).toBe('offline');
    expect(codes()).toEqual(['SHUTDOWN']);
  });

  it('a stale death (old bdSeq) does not mark a reconnected device offline', () => {
    monitor.connected('door-01', 1, 'a');
    monitor.birth('door-01', birth(7));
    monitor.connected('door-01', 2, 'a');
    monitor.birth('door-01', birth(8));
    // the old connection's close and will arrive after the new session started
    monitor.disconnected('door-01', 1, 'taken_over');
    expect(monitor.death('door-01', 7, 'lost')).toBe(false);
    clock.advance(60_000);
    monitor.seen('door-01');
    monitor.tick();
    expect(status()).toBe('ok');
    expect(monitor.death('door-01', 8, 'shutdown')).toBe(true);
    expect(status()).toBe('offline');
  });

  it('marks a device that keeps dropping as flapping', () => {
    for (let i = 1; i <= 4; i++) {
      monitor.connected('door-01', i, 'a');
      monitor.birth('door-01', birth(i));
      monitor.disconnected('door-01', i, 'lost');
      clock.advance(1000);
    }
    monitor.connected('door-01', 9, 'a');
    monitor.birth('door-01', birth(9));
    expect(status()).toBe('degraded');
    expect(codes()).toEqual(['FLAPPING']);
    clock.advance(601_000);
    monitor.seen('door-01');
    monitor.tick();
    expect(status()).toBe('ok');
  });

  it('tracks doors left open across ticks and clears when closed', () => {
    monitor.connected('door-01', 1, 'a');
    monitor.birth('door-01', birth(1));
    const t = (state: 'open' | 'closed'): TelemetryBody => ({ kind: 'door_reader', doors: [{ id: 'main', state }] });
    monitor.telemetry('door-01', t('open'));
    clock.advance(100_000);
    monitor.seen('door-01');
    monitor.tick();
    expect(status()).toBe('ok');
    clock.advance(20_000);
    monitor.seen('door-01');
    monitor.tick();
    expect(codes()).toEqual(['DOOR_LEFT_OPEN']);
    monitor.telemetry('door-01', t('closed'));
    expect(status()).toBe('ok');
  });

  it('reports device faults and tamper from telemetry', () => {
    monitor.connected('door-01', 1, 'a');
    monitor.birth('door-01', birth(1));
    monitor.telemetry('door-01', { kind: 'door_reader', tamper: true, faults: ['E_LOCK'] });
    expect(status()).toBe('fault');
    expect(codes()).toEqual(['DEVICE_FAULT:E_LOCK', 'TAMPER']);
  });

  it('ignores a disconnect of a connection that is no longer current', () => {
    monitor.connected('door-01', 1, 'a');
    monitor.birth('door-01', birth(1));
    monitor.connected('door-01', 2, 'a');
    monitor.disconnected('door-01', 1, 'clean');
    expect(status()).toBe('ok');
  });
});

describe('DeviceMonitor: health churn is bounded (flap damping for faults)', () => {
  const tele = (faults: string[]): TelemetryBody => ({ kind: 'door_reader', faults }) as TelemetryBody;

  it('a fault flickering on and off with every message is one change; it clears after faultClearS without it', () => {
    const clock = new ManualClock();
    const changes: HealthChange[] = [];
    const monitor = new DeviceMonitor({ ...config, faultClearS: 10 }, clock, (c) => changes.push(c));
    monitor.track('door-01', 'door_reader', false);
    monitor.connected('door-01', 1, '127.0.0.1');
    monitor.birth('door-01', birth(1));
    const before = changes.length;
    for (let i = 0; i < 2000; i++) {
      monitor.telemetry('door-01', tele(i % 2 === 0 ? ['E_READER'] : []));
      if (i % 100 === 0) clock.advance(100);
    }
    expect(changes.length - before).toBe(1);
    expect(monitor.get('door-01')?.verdict.reasons.map((r) => r.code)).toEqual(['DEVICE_FAULT:E_READER']);
    clock.advance(9_000);
    monitor.tick();
    expect(monitor.get('door-01')?.verdict.status).toBe('fault');
    clock.advance(1_000);
    monitor.tick();
    expect(monitor.get('door-01')?.verdict.status).toBe('ok');
    expect(changes.length - before).toBe(2);
  });

  it('a fault the device keeps reporting stays however long it sends nothing new', () => {
    const clock = new ManualClock();
    const monitor = new DeviceMonitor({ ...config, faultClearS: 10 }, clock, () => undefined);
    monitor.track('door-01', 'door_reader', false);
    monitor.connected('door-01', 1, '127.0.0.1');
    monitor.birth('door-01', birth(1, 60));
    monitor.telemetry('door-01', tele(['E_READER']));
    clock.advance(50_000);
    monitor.seen('door-01');
    monitor.tick();
    expect(monitor.get('door-01')?.verdict.status).toBe('fault');
  });

  it('past maxChangesPerMinute, changes fold into one at the end of the minute', () => {
    const clock = new ManualClock();
    const changes: HealthChange[] = [];
    const monitor = new DeviceMonitor({ ...config, faultClearS: 0, maxChangesPerMinute: 5 }, clock, (c) =>
      changes.push(c),
    );
    monitor.track('door-01', 'door_reader', false);
    monitor.connected('door-01', 1, '127.0.0.1');
    monitor.birth('door-01', birth(1));
    const before = changes.length;
    // a new fault code in every message: each one a real change
    for (let i = 0; i < 500; i++) monitor.telemetry('door-01', tele([`E_${i}`]));
    expect(changes.length - before).toBeLessThanOrEqual(5);
    clock.advance(60_000);
    monitor.seen('door-01');
    monitor.tick();
    const last = changes.at(-1);
    expect(last?.event).toMatch(/changes folded/);
    expect(last?.verdict.reasons.map((r) => r.code)).toEqual(['DEVICE_FAULT:E_499']);
  });
});

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertRepo } from '../../gateway/alerts/alert-repo.ts';
import { ALERTS_SQL } from '../../gateway/alerts/alerts-sql.ts';
import { AlertService } from '../../gateway/alerts/alert-service.ts';
import type { AlertNotice } from '../../gateway/alerts/alert-types.ts';
import { StaffAlertSchema } from '../../gateway/cloud/contract/events-health.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { BatchWriter } from '../../gateway/store/batch-writer.ts';

const door = (msg = 'main has been open for 3 min') => ({
  key: 'device:door-1:DOOR_LEFT_OPEN',
  deviceId: 'door-1',
  code: 'DOOR_LEFT_OPEN',
  severity: 'warning' as const,
  message: msg,
});

describe('alert service', () => {
  let db: Database.Database;
  let clock: ManualClock;
  let writer: BatchWriter;
  let notices: AlertNotice[];
  let alerts: AlertService;

  const build = () => {
    const s = new AlertService({
      repo: new AlertRepo(db, db),
      writer,
      clock,
      log: silentLogger(),
      notify: (n) => notices.push(n),
      nameOf: (id) => (id === 'door-1' ? '东门' : undefined),
    });
    s.load();
    return s;
  };

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(ALERTS_SQL);
    clock = new ManualClock();
    writer = new BatchWriter(db, { maxWaitMs: 1, maxBatch: 64 });
    notices = [];
    alerts = build();
  });
  afterEach(() => {
    writer.stop();
    db.close();
  });

  it('raises a condition once however often it is seen, and clears it when it ends', async () => {
    alerts.reconcile('device:door-1:', [door()]);
    clock.advance(60_000);
    alerts.reconcile('device:door-1:', [door()]);
    expect(notices.map((n) => n.transition)).toEqual(['raised']);
    expect(notices[0]?.deviceName).toBe('东门');
    clock.advance(60_000);
    alerts.reconcile('device:door-1:', []);
    expect(notices.map((n) => n.transition)).toEqual(['raised', 'cleared']);
    expect(alerts.openAlerts()).toEqual([]);
    writer.flush();
    const [row] = alerts.list({ state: 'all', limit: 10 });
    expect(row).toMatchObject({ code: 'DOOR_LEFT_OPEN', cleared: { at: clock.now(), by: null } });
    expect(row?.raisedAt).toBe(clock.now() - 120_000);
  });

  it('keeps an acknowledged alert open, quiet, in history with who and why, and nags again when it gets worse', () => {
    alerts.reconcile('device:door-1:', [door()]);
    const id = alerts.openAlerts()[0]?.id ?? 0;
    const acked = alerts.acknowledge(id, '张三 (tok1)', 'guard sent');
    expect(acked.acknowledged).toEqual({ at: clock.now(), by: '张三 (tok1)', note: 'guard sent' });
    // the text moving on is no news
    alerts.reconcile('device:door-1:', [door('main has been open for 10 min')]);
    expect(notices.map((n) => n.transition)).toEqual(['raised', 'acknowledged']);
    writer.flush();
    expect(alerts.list({ state: 'acknowledged', limit: 5 })).toHaveLength(1);
    expect(alerts.list({ state: 'open', limit: 5 })).toHaveLength(0);
    // worse than what was acknowledged
    alerts.reconcile('device:door-1:', [{ ...door(), severity: 'critical' }]);
    expect(notices.at(-1)?.transition).toBe('raised');
    expect(alerts.openAlerts()[0]?.acknowledged).toBeNull();
  });

  it('lets staff clear only what no longer holds; event alerts stay until staff clear them', () => {
    alerts.reconcile('device:door-1:', [door()]);
    const id = alerts.openAlerts()[0]?.id ?? 0;
    expect(() => alerts.clear(id, 'ops')).toThrow(/still holds/);
    alerts.raiseEvent({
      deviceId: 'pile-1',
      code: 'OVER_TEMPERATURE',
      severity: 'critical',
      message: 'socket 2 at 80 °C',
    });
    alerts.reconcile('device:pile-1:', []);
    const ev = alerts.openAlerts().find((a) => a.code === 'OVER_TEMPERATURE');
    expect(ev?.severity).toBe('critical');
    const cleared = alerts.clear(ev?.id ?? 0, 'ops');
    expect(cleared.cleared).toEqual({ at: clock.now(), by: 'ops' });
    expect(() => alerts.clear(ev?.id ?? 0, 'ops')).toThrow(/already cleared/);
    expect(() => alerts.acknowledge(999, 'ops', '')).toThrow(/no alert 999/);
  });

  it("orders open alerts most severe first, and ends a deleted device's alerts", () => {
    alerts.reconcile('gateway:', [
      { key: 'gateway:HOTLIST_STALE', deviceId: null, code: 'HOTLIST_STALE', severity: 'critical', message: 'x' },
    ]);
    clock.advance(1000);
    alerts.reconcile('device:door-1:', [door()]);
    expect(alerts.openAlerts().map((a) => a.code)).toEqual(['HOTLIST_STALE', 'DOOR_LEFT_OPEN']);
    alerts.forgetDevice('door-1');
    expect(alerts.openAlerts().map((a) => a.code)).toEqual(['HOTLIST_STALE']);
    // a device's reconcile never touches the gateway's alerts
    alerts.reconcile('device:door-1:', []);
    expect(alerts.openAlerts()).toHaveLength(1);
  });

  it('tells the cloud each transition, in the unit that writes the alert, without who or why', () => {
    const sent: { stream: string; kind: string; data: unknown }[] = [];
    const withCloud = new AlertService({
      repo: new AlertRepo(db, db),
      writer,
      clock,
      log: silentLogger(),
      notify: () => undefined,
      nameOf: () => undefined,
      outbox: { append: (stream, kind, data) => sent.push({ stream, kind, data }) },
    });
    withCloud.load();
    withCloud.reconcile('device:door-1:', [door()]);
    const id = withCloud.openAlerts()[0]?.id ?? 0;
    withCloud.acknowledge(id, '张三 (tok1)', 'called 王先生');
    withCloud.reconcile('device:door-1:', []);
    expect(sent).toEqual([]); // not before the writer's unit runs
    writer.flush();
    expect(sent.map((s) => [s.stream, s.kind, (s.data as { transition: string }).transition])).toEqual([
      ['health', 'alert.changed', 'raised'],
      ['health', 'alert.changed', 'acknowledged'],
      ['health', 'alert.changed', 'cleared'],
    ]);
    for (const s of sent) expect(StaffAlertSchema.parse(s.data)).toMatchObject({ alertId: id, code: 'DOOR_LEFT_OPEN' });
    expect(JSON.stringify(sent)).not.toMatch(/张三|王先生|tok1/);
  });

  it('takes up the open alerts a previous run left, with fresh ids after the last', () => {
    alerts.reconcile('device:door-1:', [door()]);
    alerts.raiseEvent({ deviceId: 'pile-1', code: 'OVER_CURRENT', severity: 'critical', message: 'socket 1' });
    writer.flush();
    const again = build();
    expect(
      again
        .openAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual([1, 2]);
    again.reconcile('gateway:', [
      { key: 'gateway:CLOCK_UNTRUSTED', deviceId: null, code: 'CLOCK_UNTRUSTED', severity: 'warning', message: 'y' },
    ]);
    expect(again.openAlerts().find((a) => a.code === 'CLOCK_UNTRUSTED')?.id).toBe(3);
    // the same condition seen again after the restart is the same alert
    again.reconcile('device:door-1:', [door()]);
    expect(again.openAlerts()).toHaveLength(3);
  });
});

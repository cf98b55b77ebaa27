import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { scanAndPay } from '../../devices/shop-scanner/sim-flow.ts';
import { demoResidents, fleetIds, SimFleet, type SimDevice } from '../../sim/src/index.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';

interface Received {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent-events stream into `into` until aborted. */
async function follow(url: string, token: string, into: Received[], signal: AbortSignal): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
  if (!res.body) return res.status;
  void (async () => {
    const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) return;
        buffer += chunk.value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) into.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return res.status;
}

/** GET /api/v1/stream: the console's live events, and what a shop's token may hear of them. */
describe('the console live stream', () => {
  let h: Harness;
  let fleet: SimFleet;
  const stop = new AbortController();
  const residents = demoResidents();
  const dev = (id: string) => fleet.devices.find((d) => d.id === id) as SimDevice;

  beforeAll(async () => {
    h = await startGateway();
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FixtureSchema.parse(demoFixture())))();
    const credentials = [];
    for (const d of fleetIds({ lockers: 0, vending: 0, doors: 0, scanners: 2 }))
      credentials.push({ id: d.id, kind: d.kind, secret: (await h.gw.devices.provision(d)).secret });
    fleet = new SimFleet({ url: h.mqttUrl, credentials });
    await fleet.start();
    await waitFor(() => fleet.devices.every((d) => d.born), 'simulated scanners born', 15_000);
  }, 30_000);
  afterAll(async () => {
    stop.abort();
    await fleet?.stop();
    await h?.stop();
  });

  it('tells staff health, alerts and redemptions as they happen; a shop hears only its own sales', async () => {
    const merchantOf = (id: string) => (h.gw.store.devices.get(id)?.merchantId ?? '') as string;
    const shop = merchantOf('scanner-01');
    expect(shop).not.toBe(merchantOf('scanner-02'));
    const shopToken = (await h.gw.tokens.create('operator', 'till', shop)).token;
    const staff: Received[] = [];
    const till: Received[] = [];
    const url = `${h.endpoints.httpUrl}/api/v1/stream`;
    expect(await follow(url, h.adminToken, staff, stop.signal)).toBe(200);
    expect(await follow(url, shopToken, till, stop.signal)).toBe(200);
    expect(await follow(url, 'llt_nope', [], stop.signal)).toBe(401);
    await waitFor(() => staff.length > 0 && till.length > 0, 'hello on both streams');
    expect(till[0]).toMatchObject({ event: 'hello', data: { shop } });

    const who = residents.members[0];
    if (!who) throw new Error('no residents');
    await scanAndPay(dev('scanner-01'), who.uid, 1200);
    await scanAndPay(dev('scanner-02'), who.uid, 1300);
    dev('scanner-02').setFault('E_PRINTER');
    await waitFor(() => staff.some((e) => e.event === 'alert'), 'the fault as an alert on the staff stream');
    await waitFor(() => staff.filter((e) => e.event === 'redemption').length === 2, 'both sales on the staff stream');

    expect(staff.find((e) => e.event === 'health')?.data).toMatchObject({ deviceId: 'scanner-02', status: 'fault' });
    expect(staff.find((e) => e.event === 'alert')?.data).toMatchObject({
      transition: 'raised',
      alert: { deviceId: 'scanner-02', code: 'DEVICE_FAULT:E_PRINTER', severity: 'critical' },
    });
    const shopSales = till.filter((e) => e.event === 'redemption');
    expect(shopSales.map((e) => e.data.merchantId)).toEqual([shop]);
    expect(till.map((e) => e.event).sort()).toEqual(['hello', 'redemption']);
  });

  it('a screen’s token hears staff notes with names and phones masked; the desk hears them whole', async () => {
    const viewerToken = (await h.gw.tokens.create('viewer', 'lobby screen')).token;
    const desk: Received[] = [];
    const screen: Received[] = [];
    const url = `${h.endpoints.httpUrl}/api/v1/stream`;
    expect(await follow(url, h.adminToken, desk, stop.signal)).toBe(200);
    expect(await follow(url, viewerToken, screen, stop.signal)).toBe(200);
    await waitFor(() => desk.length > 0 && screen.length > 0, 'hello on both streams');

    dev('scanner-01').setFault('E_JAM');
    const code = 'DEVICE_FAULT:E_JAM';
    const raised = () => h.gw.alerts.openAlerts().find((a) => a.code === code);
    await waitFor(() => raised() !== undefined, 'the jam raised');
    const note = '已联系张三 13812341234';
    const res = await fetch(`${h.endpoints.httpUrl}/api/v1/alerts/${raised()?.id}/acknowledge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note }),
    });
    expect(res.status).toBe(200);
    const acked = (into: Received[]) =>
      into.find((e) => e.event === 'alert' && e.data.transition === 'acknowledged')?.data.alert as
        | { code: string; acknowledged: { note: string } }
        | undefined;
    await waitFor(() => acked(desk) !== undefined && acked(screen) !== undefined, 'the acknowledgement on both');
    expect(acked(desk)).toMatchObject({ code, acknowledged: { note } });
    expect(acked(screen)).toMatchObject({ code, acknowledged: { note: '已* 138****1234' } });
    expect(JSON.stringify(screen)).not.toContain('13812341234');
  });
});

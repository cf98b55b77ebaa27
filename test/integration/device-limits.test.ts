import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { responsesOf } from '../support/ask.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';

/**
 * [FWP-5.3] One device must not hurt the others: its requests and messages have a budget; over it a
 * request is answered RATE_LIMITED (within the 20-a-minute cap on error replies) and other messages are
 * dropped and counted, while every other device is served as before. Time is a ManualClock: no refill
 * happens unless the test moves it.
 */
describe('per-device budgets', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 18, 6, 0));
  let h: Harness;
  let noisy: RawDevice;
  let quiet: RawDevice;
  let n = 0;
  const lookup = (d: RawDevice, txn: string) =>
    d.publishRaw(
      `linli/v1/dev/${d.id}/up/request`,
      JSON.stringify({
        v: '1.3',
        id: `${d.id}-${++n}`,
        ts: 1,
        seq: n,
        txn,
        type: 'request',
        body: { op: 'lookup', credential: { type: 'uid', uid: '04000000' } },
      }),
    );
  const codes = (d: RawDevice) => responsesOf(d).map((r) => (r.body.status === 'error' ? r.body.code : 'ok'));

  beforeEach(async () => {
    h = await startGateway(
      { limits: { requestsPerSecond: 5, requestBurst: 20, messagesPerSecond: 50, messageBurst: 200 } } as never,
      { clock },
    );
    const connect = async (id: string) => {
      const d = await new RawDevice(
        id,
        'shop_scanner',
        (await h.gw.devices.provision({ id, kind: 'shop_scanner', merchantId: 'cafe-01' })).secret,
      ).connect(h.mqttUrl);
      await d.birth({ merchantId: 'cafe-01' });
      return d;
    };
    noisy = await connect('scanner-01');
    quiet = await connect('scanner-02');
    await waitFor(
      () => h.gw.monitor.get('scanner-01')?.born === true && h.gw.monitor.get('scanner-02')?.born === true,
      'births',
    );
  });
  afterEach(async () => {
    noisy.client.end(true);
    quiet.client.end(true);
    await h.stop();
  });

  it(
    'a device over its request budget gets RATE_LIMITED (at most 20 such answers a minute); ' +
      'another device is served',
    async () => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => lookup(noisy, `n-${i}`)));
      for (let i = 0; i < 10; i++) await lookup(quiet, `q-${i}`);
      await waitFor(() => codes(quiet).length === 10 && codes(noisy).length === 40, 'answers');
      expect(codes(quiet)).toEqual(Array(10).fill('MEMBER_NOT_FOUND')); // served: the card is simply unknown
      expect(codes(noisy).filter((c) => c === 'MEMBER_NOT_FOUND')).toHaveLength(20); // the burst
      expect(codes(noisy).filter((c) => c === 'RATE_LIMITED')).toHaveLength(20); // the reply cap
      const limited = responsesOf(noisy).find((r) => r.body.status === 'error' && r.body.code === 'RATE_LIMITED');
      expect(limited?.txn).toMatch(/^n-/);
      expect(limited?.body.display.zh).toContain('稍后');
      expect(h.gw.monitor.get('scanner-01')?.rateLimited).toBe(80);
      // a second later the budget has refilled by five
      clock.advance(1000);
      for (let i = 0; i < 5; i++) await lookup(noisy, `later-${i}`);
      await waitFor(() => codes(noisy).length === 45, 'served again');
      expect(codes(noisy).slice(-5)).toEqual(Array(5).fill('MEMBER_NOT_FOUND'));
    },
  );

  it('a message flood is dropped past the burst and counted; the gateway keeps up with the others', async () => {
    const tel = (i: number) =>
      JSON.stringify({
        v: '1.3',
        id: `t-${i}`,
        ts: 1,
        seq: i + 1,
        type: 'telemetry',
        body: { kind: 'shop_scanner', uptimeS: i },
      });
    await Promise.all(
      Array.from({ length: 600 }, (_, i) => noisy.publishRaw('linli/v1/dev/scanner-01/up/telemetry', tel(i))),
    );
    await lookup(quiet, 'q-1');
    await waitFor(
      () => codes(quiet).length === 1 && (h.gw.monitor.get('scanner-01')?.rateLimited ?? 0) >= 400,
      'flood handled',
    );
    expect(h.gw.monitor.get('scanner-01')?.rateLimited).toBe(400); // 600 minus the 200 burst (a birth is never counted)
    // events settle parcels and commands: a telemetry flood does not use up their budget
    await noisy.publishRaw(
      'linli/v1/dev/scanner-01/up/event',
      JSON.stringify({ v: '1.3', id: 'e-1', ts: 1, seq: 601, type: 'event', body: { event: 'tamper', open: true } }),
    );
    await waitFor(
      () => h.gw.monitor.get('scanner-01')?.verdict.reasons.some((r) => r.code === 'TAMPER') === true,
      'the event still handled',
    );
    expect(noisy.errors().filter((e) => e.body.code === 'RATE_LIMITED').length).toBeLessThanOrEqual(20);
  });
});

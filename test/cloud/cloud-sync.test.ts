import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { expectCloudContractKept } from './contract-conformance.ts';
import { doorsOf } from '../support/kind-parts.ts';

const FIXTURE = FixtureSchema.parse({
  merchants: [{ id: 'cafe-01', name: 'Café' }],
  // a registered card at its cap (¥5,000, gateway/prepaid)
  members: [
    {
      id: 'm-1',
      tier: 'regular',
      cardType: 'registered',
      walletFen: 500_000,
      cards: [{ type: 'uid', uid: '04A2B3C4' }],
    },
  ],
});

/** Cloud sync against a real Mosquitto with the simulated cloud consuming: exact accounting every time. */
describe('store-and-forward to a real cloud broker', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let h: Harness;
  let n = 0;
  const redeem = () =>
    h.gw.redemption.service.redeem({
      txnId: `t-${++n}`,
      memberId: 'm-1',
      trust: 'high',
      purchase: {
        merchantId: 'cafe-01',
        deviceId: 'scanner-x',
        deviceKind: 'shop_scanner',
        items: [],
        amountFen: 100 + n,
        at: h.gw.clock.now(),
      },
    });
  const money = () => twin.stream('linli-gw', 'money');
  const backlog = () => h.gw.outbox?.backlog().reduce((s, b) => s + b.events, 0) ?? -1;

  beforeEach(async () => {
    mosq = await new Mosquitto().start();
    twin = new CloudTwin({ url: mosq.url });
    await twin.start();
    h = await startGateway({
      cloud: {
        enabled: true,
        url: mosq.url,
        signingKeys: [{ kid: 'k', publicKey: 'A'.repeat(43) }],
        outboxBudgetMb: 1,
        batchesPerSecond: 50,
        batchMax: 10,
        ackTimeoutS: 2,
        reconnectMinMs: 200,
        reconnectMaxMs: 1000,
      },
    } as never);
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    await waitFor(() => h.gw.cloud?.isConnected === true, 'gateway connected to the cloud broker');
  });
  afterEach(async () => {
    await h.stop();
    await twin.stop();
    await mosq.dispose();
  });

  it('every redemption reaches the cloud once, in order, and leaves the outbox when acknowledged', async () => {
    for (let i = 0; i < 25; i++) await redeem();
    await waitFor(() => money().upTo === 25 && backlog() === 0, 'all 25 acknowledged', 15_000);
    const s = money();
    expect(s.events.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(s.events.map((e) => (e.data as { redemptionId: string }).redemptionId)).size).toBe(25);
    expect(s.events.every((e) => e.kind === 'redemption.captured')).toBe(true);
    expect(s.gaps).toBe(0);
    expect(twin.states.some((x) => (x as { state: string }).state === 'online')).toBe(true);
    const health = (await h.api('/healthz')).body as { cloud: { connected: boolean; backlogEvents: number } };
    expect(health.cloud).toMatchObject({ connected: true, backlogEvents: 0 });
    expectCloudContractKept(twin, h.gw.outbox);
  });

  it('the cloud broker dies mid-stream and comes back: ' +
    'nothing lost, nothing applied twice, the backlog marked historical', async () => {
    for (let i = 0; i < 20; i++) await redeem();
    await waitFor(() => money().upTo === 20, 'first 20 applied', 15_000);
    await mosq.stop();
    await waitFor(() => h.gw.cloud?.isConnected === false, 'gateway saw the broker go');
    for (let i = 0; i < 30; i++) await redeem(); // redemptions go on offline
    // the 30 wait in the outbox (with any whose acknowledgement the dying broker swallowed)
    expect(backlog()).toBeGreaterThanOrEqual(30);
    await mosq.start();
    for (let i = 0; i < 10; i++) await redeem();
    await waitFor(() => money().upTo === 60 && backlog() === 0, 'all 60 applied after the outage', 30_000);
    const s = money();
    expect(s.events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const ids = s.events.map((e) => (e.data as { redemptionId: string }).redemptionId);
    const inDb = (
      h.gw.store.db.prepare("SELECT id FROM redemptions WHERE state = 'captured' ORDER BY rowid").all() as {
        id: string;
      }[]
    ).map((r) => r.id);
    expect(ids).toEqual(inDb);
    expect(s.historical).toBeGreaterThanOrEqual(30);
    expect(s.gaps).toBe(0);
    expectCloudContractKept(twin, h.gw.outbox);
  }, 60_000);

  it('a lost acknowledgement: the batch is sent again and the cloud applies it once', async () => {
    twin.dropAcks = 2;
    for (let i = 0; i < 8; i++) await redeem();
    await waitFor(() => money().upTo === 8 && backlog() === 0, 'applied and acknowledged after the resend', 20_000);
    expect(money().duplicates).toBeGreaterThan(0);
    expect(money().events).toHaveLength(8);
    expectCloudContractKept(twin, h.gw.outbox);
  }, 30_000);

  it('telemetry dropped under the disk budget: ' +
    'the cloud skips the hole knowingly and gets everything after it', async () => {
    const link = h.gw.cloud;
    const outbox = h.gw.outbox;
    if (!link || !outbox) throw new Error('no cloud');
    await link.stop();
    await h.gw.writer.submit(() => {
      for (let i = 0; i < 400; i++) outbox.append('telemetry', 'telemetry.summary', { pad: 'x'.repeat(4000), i });
    });
    link.enforceBudget();
    const dropped = outbox.droppedCount('telemetry');
    expect(dropped).toBeGreaterThan(0);
    link.start();
    const tel = () => twin.stream('linli-gw', 'telemetry');
    await waitFor(() => tel().upTo === 400 && backlog() === 0, 'the rest of the telemetry delivered', 20_000);
    expect(tel().events).toHaveLength(400 - dropped);
    expect(tel().dropped).toBe(dropped);
    expect(tel().gaps).toBe(0);
  }, 30_000);

  it('device health and access decisions are streams of their own', async () => {
    await h.gw.devices.provision({ id: 'door-09', kind: 'door_reader' });
    await waitFor(
      () =>
        twin.stream('linli-gw', 'health').events.some((e) => (e.data as { deviceId: string }).deviceId === 'door-09'),
      'health event',
    );
    await doorsOf(h.gw).access.localTap('box', 'office', { type: 'uid', uid: '04A2B3C4' }, 'tap-1');
    await waitFor(() => twin.stream('linli-gw', 'access').upTo === 1, 'access event');
    expect(twin.stream('linli-gw', 'access').events[0]?.data).toMatchObject({
      decision: 'denied',
      reason: 'NO_ACCESS',
      deviceId: 'box',
    });
    expectCloudContractKept(twin, h.gw.outbox);
  });
});

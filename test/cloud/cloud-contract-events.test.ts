import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { CLOUD_EVENT_TYPES } from '../../gateway/cloud/contract/index.ts';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { depositParcel, pickUp } from '../../devices/parcel-locker/sim-flow.ts';
import { CloudTwin, SimDevice } from '../../sim/src/index.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { expectCloudContractKept } from './contract-conformance.ts';
import { doorsOf, lockerOf } from '../support/kind-parts.ts';

const keys = generateKeyPairSync('ed25519');
const FIXTURE = FixtureSchema.parse({
  merchants: [
    { id: 'cafe-01', name: 'Café' },
    { id: 'vending-01', name: 'Vending' },
  ],
  members: [
    // a registered card just under its cap (¥5,000, gateway/prepaid): the grant below is refused over it
    {
      id: 'm-1',
      tier: 'regular',
      cardType: 'registered',
      walletFen: 499_000,
      cards: [{ type: 'uid', uid: '04A2B3C4' }],
    },
    { id: 'm-2', tier: 'regular', walletFen: 0 },
    { id: 'm-3', tier: 'regular', walletFen: 0 },
  ],
});

/**
 * The gateway goes through every flow that writes a cloud event (payments and their lifecycle, online
 * authorisation, allowances, points, doors and a check-in, parcels, device health, a rollout, the outbox
 * alert, the telemetry summary) against a real Mosquitto; the simulated cloud checks every message it
 * gets against the contract, and so does the gateway's outbox as it writes them.
 */
describe('every event the gateway sends keeps the cloud contract', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let h: Harness;
  let locker: SimDevice;
  const gw = 'linli-gw';
  const kinds = () => new Set([...twin.streams.values()].flatMap((s) => s.events.map((e) => e.kind)));
  const backlog = () => h.gw.outbox?.backlog().reduce((s, b) => s + b.events, 0) ?? -1;
  const purchase = (amountFen: number, deviceKind: 'shop_scanner' | 'vending_machine' = 'shop_scanner') => ({
    merchantId: deviceKind === 'shop_scanner' ? 'cafe-01' : 'vending-01',
    deviceId: deviceKind === 'shop_scanner' ? 'scanner-x' : 'vm-x',
    deviceKind,
    items: [],
    amountFen,
    at: h.gw.clock.now(),
  });

  beforeAll(async () => {
    mosq = await new Mosquitto().start();
    twin = new CloudTwin({ url: mosq.url, signer: { kid: 'c1', key: keys.privateKey }, clientId: 'twin-contract' });
    await twin.start();
    h = await startGateway({
      cloud: {
        enabled: true,
        url: mosq.url,
        signingKeys: [{ kid: 'c1', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }],
        outboxBudgetMb: 1,
        batchesPerSecond: 100,
        batchMax: 1000,
        ackTimeoutS: 2,
        reconnectMinMs: 200,
        reconnectMaxMs: 1000,
        onlineAuthTimeoutMs: 2000,
      },
    } as never);
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    await waitFor(
      () => h.gw.cloud?.isConnected === true && (h.gw.docs?.version('display') ?? 0) >= 1,
      'connected, with the documents',
      10_000,
    );
  }, 30_000);
  afterAll(async () => {
    await locker?.stop({ graceful: false });
    await h?.stop();
    await twin?.stop();
    await mosq?.dispose();
  });

  it('payments, their lifecycle, online authorisation, allowances and points', async () => {
    const s = h.gw.redemption.service;
    const paid = await s.redeem({ txnId: 'p-1', memberId: 'm-1', trust: 'high', purchase: purchase(500) });
    expect(paid).toMatchObject({ state: 'captured' });
    await s.authorize({ txnId: 'v-1', memberId: 'm-1', trust: 'high', purchase: purchase(300, 'vending_machine') });
    await s.capture('v-1', 'vm-x');
    await s.authorize({ txnId: 'v-2', memberId: 'm-1', trust: 'high', purchase: purchase(300, 'vending_machine') });
    await s.void('v-2', 'vm-x');
    await s.authorize({ txnId: 'v-3', memberId: 'm-1', trust: 'high', purchase: purchase(300, 'vending_machine') });
    // the hold runs out (without waiting for it): the gateway's expiry voids it
    h.gw.store.db.prepare("UPDATE redemptions SET hold_expires_at = 0 WHERE txn_id = 'v-3'").run();
    await s.expireHolds(); // (or the gateway's own tick did)
    await s.reverse(paid.redemptionId, 'staff-1');
    // beyond the wallet, the cloud refuses: declined; another member's cloud wallet grants it online
    expect(await s.redeem({ txnId: 'p-2', memberId: 'm-2', trust: 'high', purchase: purchase(990) })).toMatchObject({
      state: 'declined',
    });
    twin.wallets.set('m-3', 10_000);
    expect(await s.redeem({ txnId: 'p-3', memberId: 'm-3', trust: 'high', purchase: purchase(2000) })).toMatchObject({
      state: 'captured',
    });
    twin.wallets.set('m-1', 10_000);
    await twin.grantAllowance(gw, 'm-1', 1000);
    await twin.pushDelta(gw, 'allowances', { releases: [{ releaseId: 'rel-1', memberId: 'm-3' }] });
    await s.awardPoints('m-1', 5, 'pts-1', 'activity');
    // prepaid [CLP-4.14..16]: a grant over the card cap, a refund, a daily close (the next day's, run now)
    await twin.grantAllowance(gw, 'm-1', 9_000);
    await h.gw.prepaid.refunds.refund({
      memberId: 'm-1',
      idempotencyKey: 'refund-m1',
      amountFen: 100,
      requestedBy: 't',
    });
    await h.gw.writer.submit(() => h.gw.prepaid.closes.closeDueNow(h.gw.clock.now() + 86_400_000));
    await h.gw.anchorLedger?.();
    const money = [
      'redemption.captured',
      'redemption.held',
      'redemption.voided',
      'redemption.expired',
      'redemption.reversed',
      'redemption.declined',
      'allowance.credited',
      'allowance.released',
      'points.awarded',
      'ledger.anchor',
      'prepaid.topup_refused',
      'prepaid.refunded',
      'prepaid.daily_closed',
    ];
    await waitFor(() => money.every((k) => kinds().has(k)), 'every money event at the cloud', 10_000);
    expectCloudContractKept(twin, h.gw.outbox);
  });

  it('doors and a check-in, parcels, device health and a rollout', async () => {
    const card = { type: 'uid' as const, uid: '04A2B3C4' };
    await doorsOf(h.gw).access.localTap('box', 'office', card, 'tap-1');
    const now = h.gw.clock.now();
    doorsOf(h.gw).accessRepo.addEvent({
      id: 'cleanup',
      name: 'Cleanup',
      deviceId: 'box',
      points: 5,
      startsAt: now - 1000,
      endsAt: now + 3600_000,
    });
    await doorsOf(h.gw).access.localTap('box', 'office', card, 'tap-2');

    const { secret } = await h.gw.devices.provision({ id: 'locker-01', kind: 'parcel_locker' });
    locker = new SimDevice({ url: h.mqttUrl, id: 'locker-01', kind: 'parcel_locker', secret });
    await locker.start();
    await waitFor(() => locker.born, 'the locker is up');
    expect(await depositParcel(locker, 'm-1', 'M')).toMatchObject({ decision: 'approved' });
    await waitFor(() => lockerOf(h.gw).parcels.list({ status: 'stored', limit: 10 }).length === 1, 'stored');
    expect(await pickUp(locker, { uid: '04A2B3C4' })).toMatchObject({ decision: 'approved' });
    // a compartment that jams at deposit
    const txn = locker.newTxn();
    const r = await locker.request(
      { op: 'deposit', size: 'S', tracking: 'SF-JAM-1', recipient: { type: 'member', memberId: 'm-1' } },
      txn,
    );
    const compartment = r.status === 'ok' ? r.open?.[0]?.compartment : undefined;
    if (!compartment) throw new Error('no compartment opened');
    await locker.sendEvent({ event: 'compartment', compartment, state: 'jammed' }, txn);

    await twin.pushDelta(gw, 'display', {
      rollouts: [{ id: 'spring', text: '春季大促', kinds: ['parcel_locker'], durationS: 10 }],
    });
    const expected = [
      'access.decision',
      'access.checkin',
      'parcel.stored',
      'parcel.picked_up',
      'parcel.deposit_failed',
      'device.health',
      'rollout.delivered',
      'telemetry.summary',
    ];
    await waitFor(
      () => expected.every((k) => kinds().has(k)),
      'every door, parcel and health event at the cloud',
      15_000,
    );
    expectCloudContractKept(twin, h.gw.outbox);
  }, 30_000);

  it('the outbox over its budget with money alone: the alert, and its end', async () => {
    const link = h.gw.cloud;
    const outbox = h.gw.outbox;
    if (!link || !outbox) throw new Error('no cloud');
    await link.stop();
    // a backlog of valid money events past the 1 MB budget, as a long outage would leave
    await h.gw.writer.submit(() => {
      for (let i = 0; i < 5000; i++)
        outbox.append('money', 'points.awarded', {
          memberId: 'm-1',
          points: 1,
          txnId: `backlog-${i}-${'x'.repeat(180)}`,
          reason: 'activity',
          at: h.gw.clock.now(),
        });
    });
    link.enforceBudget();
    expect(link.status().overBudget).toBe(true);
    link.start();
    await waitFor(() => backlog() === 0, 'the backlog drained', 20_000);
    link.enforceBudget();
    expect(link.status().overBudget).toBe(false);
    const alerts = () =>
      twin
        .stream(gw, 'health')
        .events.filter((e) => e.kind === 'gateway.alert')
        .map((e) => (e.data as { active: boolean }).active);
    await waitFor(() => alerts().length === 2, 'the alert and its end at the cloud', 10_000);
    expect(alerts()).toEqual([true, false]);
    expectCloudContractKept(twin, h.gw.outbox);
    // every type of the contract was seen but those their own end-to-end tests check against the twin: a failed
    // rollout (the rollout service's), an erasure (test/privacy), a restore and its recovery (test/backup)
    expect(CLOUD_EVENT_TYPES.filter((t) => !kinds().has(t))).toEqual([
      'rollout.failed',
      'member.erased',
      'gateway.restored',
      'gateway.recovered',
    ]);
  }, 60_000);

  it('and the checks are not blind: an event that breaks the contract is caught on both sides', async () => {
    const outbox = h.gw.outbox;
    if (!outbox) throw new Error('no cloud');
    await h.gw.writer.submit(() =>
      outbox.append('access', 'access.decision', { deviceId: 'door-1', cardUid: '04A2B3C4' }),
    );
    await waitFor(() => twin.invalid > 0, 'the simulated cloud flags it');
    expect(twin.invalidMessages[0]).toMatchObject({ what: expect.stringMatching(/^event access.decision #/) });
    expect(outbox.invalidEvents().byKind).toEqual({ 'access.decision': 1 });
  });
});

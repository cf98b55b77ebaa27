import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { dayStart } from '../../gateway/prepaid/local-day.ts';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { expectCloudContractKept } from '../cloud/contract-conformance.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';

const keys = generateKeyPairSync('ed25519');
const signer = { kid: 'c1', key: keys.privateKey };
const signingKeys = [{ kid: 'c1', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }];
const GW = 'gw-prepaid';
const NOON = dayStart('2026-11-18', 'Asia/Shanghai') + 12 * 3600_000;

/**
 * The prepaid rules on a running gateway synced with a (simulated) cloud over a real broker: a grant and an
 * online top-up over the cap refused and refunded by the cloud, a refund through the staff API paid out by
 * the cloud, the liability report, and the daily close received by the cloud as a chain.
 */
describe('prepaid stored value with the cloud', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let h: Harness;
  const clock = new ManualClock(NOON);
  const money = () => twin.eventsOf(GW, 'money');
  const kinds = (k: string) => money().filter((e) => e.kind === k);
  const wallet = (id: string) => h.gw.redemption.ledger.balance(account.wallet(id), 'fen');

  beforeAll(async () => {
    mosq = await new Mosquitto().start();
    twin = new CloudTwin({ url: mosq.url, signer, now: () => clock.now(), clientId: `twin-${process.pid}` });
    await twin.start();
    h = await startGateway(
      {
        gateway: { id: GW },
        cloud: {
          enabled: true,
          url: mosq.url,
          signingKeys,
          batchesPerSecond: 50,
          ackTimeoutS: 2,
          reconnectMinMs: 200,
          reconnectMaxMs: 1000,
          onlineAuthTimeoutMs: 2000,
        },
      } as never,
      { clock },
    );
    await waitFor(
      () => h.gw.cloud?.isConnected === true && (h.gw.docs?.version('allowances') ?? 0) >= 1,
      'connected with its documents',
    );
    await twin.pushDelta(GW, 'catalog', {
      merchants: [{ id: 'cafe-01', name: 'Café' }],
      members: [{ id: 'm-reg', cardType: 'registered' }, { id: 'm-anon' }],
    });
    await waitFor(() => h.gw.redemption.catalog.member('m-anon') !== undefined, 'members synced');
  });
  afterAll(async () => {
    const outbox = h?.gw.outbox;
    await h?.stop();
    await twin?.stop();
    await mosq?.dispose();
    expectCloudContractKept(twin, outbox);
  });

  it('an allowance over the cap is refused whole; the cloud hears of it and refunds the member', async () => {
    twin.wallets.set('m-anon', 150_000);
    await twin.grantAllowance(GW, 'm-anon', 90_000);
    await waitFor(() => wallet('m-anon') === 90_000, 'first grant credited');
    await twin.grantAllowance(GW, 'm-anon', 10_001);
    await waitFor(() => kinds('prepaid.topup_refused').length === 1, 'refusal reported');
    expect(wallet('m-anon')).toBe(90_000);
    expect(kinds('prepaid.topup_refused')[0]?.data).toMatchObject({
      memberId: 'm-anon',
      amountFen: 10_001,
      balanceFen: 90_000,
      capFen: 100_000,
      cardType: 'anonymous',
      source: 'grant',
    });
    // the cloud gave the payer their money back: 150,000 - 90,000 granted, the 10,001 returned
    expect(twin.wallets.get('m-anon')).toBe(60_000);
  });

  it('an online top-up that would pass the cap is refused and the purchase declined', async () => {
    twin.wallets.set('m-reg', 900_000);
    const r = await h.gw.redemption.service.redeem({
      txnId: 'big-1',
      memberId: 'm-reg',
      trust: 'high',
      purchase: {
        merchantId: 'cafe-01',
        deviceId: 'scanner-x',
        deviceKind: 'shop_scanner',
        items: [],
        amountFen: 500_001,
        at: clock.now(),
      },
    });
    expect(r.state).toBe('declined');
    expect(wallet('m-reg')).toBe(0);
    await waitFor(
      () => kinds('prepaid.topup_refused').some((e) => (e.data as { source: string }).source === 'online'),
      'online refusal',
    );
    expect(twin.wallets.get('m-reg')).toBe(900_000);
  });

  it('a refund through the staff API: admin only, once per key, paid out by the cloud', async () => {
    const body = { idempotencyKey: 'refund-0001' };
    const operator = (await h.gw.tokens.create('operator', 'test')).token;
    expect((await h.api('/api/v1/members/m-anon/refund', { method: 'POST', body, token: operator })).status).toBe(403);
    const first = await h.api('/api/v1/members/m-anon/refund', { method: 'POST', body });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ memberId: 'm-anon', amountFen: 90_000, balanceAfterFen: 0, created: true });
    const again = await h.api('/api/v1/members/m-anon/refund', { method: 'POST', body });
    expect(again.body).toEqual({ ...first.body, created: false });
    const none = await h.api('/api/v1/members/m-anon/refund', {
      method: 'POST',
      body: { idempotencyKey: 'refund-0002' },
    });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('PREPAID_NOTHING_TO_REFUND');
    const bad = await h.api('/api/v1/members/m-anon/refund', { method: 'POST', body: { idempotencyKey: 'x' } });
    expect(bad.status).toBe(400);
    await waitFor(() => kinds('prepaid.refunded').length === 1, 'refund reported');
    expect(twin.refundsPaid.get(`${GW}/m-anon`)).toBe(90_000);
  });

  it('the liability report (JSON and CSV) and the daily close, chained, in the cloud', async () => {
    await twin.grantAllowance(GW, 'm-reg', 50_000);
    await waitFor(() => wallet('m-reg') === 50_000, 'granted');
    const paid = await h.gw.redemption.service.redeem({
      txnId: 'cafe-1',
      memberId: 'm-reg',
      trust: 'high',
      purchase: {
        merchantId: 'cafe-01',
        deviceId: 'scanner-x',
        deviceKind: 'shop_scanner',
        items: [],
        amountFen: 1_200,
        at: clock.now(),
      },
    });
    expect(paid.state).toBe('captured');
    const l = await h.api('/api/v1/reports/liability');
    expect(l.status).toBe(200);
    expect(l.body.residents.walletsFen).toBe(48_800);
    expect(l.body.merchants).toEqual([{ merchantId: 'cafe-01', name: 'Café', owedFen: 1_200 }]);
    expect(l.body.refundsPendingFen).toBe(90_000);
    expect(l.body.totals).toMatchObject({ outstandingFen: 140_000, issuedFen: 140_000, reconciled: true });
    const csv = await fetch(`${h.endpoints.httpUrl}/api/v1/reports/liability?format=csv`, {
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain('merchant_owed,cafe-01,Café,1200,12.00');
    expect(text).toContain('total,issued,,140000,1400.00');

    // past midnight: the gateway's own check closes the day, and the cloud receives it
    clock.advance(12 * 3600_000 + 60_000);
    await waitFor(() => kinds('prepaid.daily_closed').length === 1, 'close received');
    expect(kinds('prepaid.daily_closed')[0]?.data).toMatchObject({
      merchantId: 'cafe-01',
      day: '2026-11-18',
      sales: 1,
      storedValueFen: 1_200,
      netFen: 1_200,
    });
    const listed = await h.api('/api/v1/reports/closes?from=2026-11-18&to=2026-11-18');
    expect(listed.body.items).toHaveLength(1);
    clock.advance(24 * 3600_000);
    await waitFor(() => kinds('prepaid.daily_closed').length === 2, 'second close received');
    expect(twin.closeBreaks).toEqual([]);
    expect((await h.api('/api/v1/prepaid/close', { method: 'POST', body: {} })).body).toEqual({ closed: 0, days: [] });
  });
});

import { generateKeyPairSync } from 'node:crypto';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudTopics } from '../../gateway/cloud/cloud-messages.ts';
import { signDoc } from '../../gateway/cloud/cloud-docs.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { cardFingerprint } from '../../gateway/security/gateway-secrets.ts';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { expectCloudContractKept } from './contract-conformance.ts';

const keys = generateKeyPairSync('ed25519');
const signer = { kid: 'c1', key: keys.privateKey };
const signingKeys = [{ kid: 'c1', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }];
const card = { type: 'uid' as const, fingerprint: cardFingerprint('uid', '04A2B3C4') };
const member = { id: 'm-1', tier: 'regular', cards: [card] };

describe('documents from the cloud, and bounded offline risk', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let clock: ManualClock;
  const gws: Harness[] = [];
  const gateway = async (id: string) => {
    const h = await startGateway(
      {
        gateway: { id },
        cloud: {
          enabled: true,
          url: mosq.url,
          signingKeys,
          batchesPerSecond: 50,
          ackTimeoutS: 2,
          reconnectMinMs: 200,
          reconnectMaxMs: 1000,
          onlineAuthTimeoutMs: 800,
        },
      } as never,
      { clock },
    );
    gws.push(h);
    await waitFor(
      () =>
        h.gw.cloud?.isConnected === true &&
        (['hotlist', 'catalog', 'allowances'] as const).every((d) => (h.gw.docs?.version(d) ?? 0) >= 1),
      `${id} connected with every document`,
    );
    await twin.pushDelta(id, 'catalog', { merchants: [{ id: 'cafe-01', name: 'Café' }], members: [member] });
    await waitFor(() => h.gw.redemption.catalog.member('m-1') !== undefined, 'member synced');
    return h;
  };
  const pay = (h: Harness, txnId: string, amountFen: number, trust: 'low' | 'high' = 'high') =>
    h.gw.redemption.service.redeem({
      txnId,
      memberId: 'm-1',
      trust,
      purchase: {
        merchantId: 'cafe-01',
        deviceId: 'scanner-x',
        deviceKind: 'shop_scanner',
        items: [],
        amountFen,
        at: h.gw.clock.now(),
      },
    });
  const wallet = (h: Harness) => h.gw.redemption.ledger.balance(account.wallet('m-1'), 'fen');

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    mosq = await new Mosquitto().start();
    twin = new CloudTwin({ url: mosq.url, signer, now: () => clock.now(), clientId: `twin-${Math.random()}` });
    await twin.start();
  });
  afterEach(async () => {
    const outboxes = gws.map((h) => h.gw.outbox);
    for (const h of gws.splice(0)) await h.stop();
    await twin.stop();
    await mosq.dispose();
    expectCloudContractKept(twin, ...outboxes);
  });

  it(
    'applies documents in order and once; ' + 'a gap asks for the full document; a forged document is refused',
    async () => {
      const h = await gateway('gw-a');
      const docs = h.gw.docs;
      if (!docs) throw new Error('no docs');
      const v = docs.version('catalog');
      // the same delta again (a redelivery): acknowledged, not applied twice
      const raw = await mqtt.connectAsync(mosq.url, { clientId: 'raw-cloud' });
      const delta = signDoc(
        'gw-a',
        {
          v: 1,
          doc: 'catalog',
          kind: 'delta',
          version: v,
          base: v - 1,
          issuedAt: clock.now(),
          body: { members: [member] },
        },
        'c1',
        keys.privateKey,
      );
      expect(await docs.handle(Buffer.from(JSON.stringify(delta)))).toBe('duplicate');
      // a delta on a version the gateway never saw: it asks for the whole document and gets it
      const ahead = signDoc(
        'gw-a',
        {
          v: 1,
          doc: 'catalog',
          kind: 'delta',
          version: v + 5,
          base: v + 4,
          issuedAt: clock.now(),
          body: { members: [] },
        },
        'c1',
        keys.privateKey,
      );
      await twin.pushDelta('gw-a', 'catalog', { members: [{ ...member, tier: 'gold' }] }); // the twin is now at v + 1
      await waitFor(() => docs.version('catalog') === v + 1, 'in order');
      expect(await docs.handle(Buffer.from(JSON.stringify(ahead)))).toBe('gap');
      await waitFor(
        () => docs.version('catalog') === v + 1 && h.gw.redemption.catalog.member('m-1')?.tier === 'gold',
        'resynced from the full document',
      );
      // forged: body changed after signing; unsigned hotlist
      const forged = {
        ...signDoc(
          'gw-a',
          {
            v: 1,
            doc: 'hotlist',
            kind: 'delta',
            version: 9,
            base: docs.version('hotlist'),
            issuedAt: clock.now(),
            body: { unblock: [card] },
          },
          'c1',
          keys.privateKey,
        ),
        body: { block: [card] },
      };
      expect(await docs.handle(Buffer.from(JSON.stringify(forged)))).toBe('refused');
      await raw.publishAsync(
        cloudTopics.down('gw-a', 'hotlist'),
        JSON.stringify({
          v: 1,
          doc: 'hotlist',
          kind: 'full',
          version: 99,
          issuedAt: clock.now(),
          body: { block: [card] },
        }),
        { qos: 1 },
      );
      await waitFor(() => docs.refused >= 2, 'unsigned hotlist refused');
      expect((await h.gw.redemption.resolver.identify({ type: 'uid', uid: '04A2B3C4' })).memberId).toBe('m-1');
      raw.end(true);
    },
  );

  it(
    'a hotlisted card is refused from the moment the hotlist arrives; ' +
      'a stale hotlist makes plain cards unable to pay',
    async () => {
      const h = await gateway('gw-a');
      twin.wallets.set('m-1', 10_000);
      await twin.grantAllowance('gw-a', 'm-1', 5000);
      await waitFor(() => wallet(h) === 5000, 'allowance credited');
      expect(await pay(h, 'p-1', 1000, 'low')).toMatchObject({ status: 'approved' });
      clock.advance(25 * 3600_000); // no hotlist for longer than hotlistMaxAgeH
      expect(await pay(h, 'p-2', 1000, 'low')).toMatchObject({ status: 'declined', declineCode: 'LOW_TRUST_LIMIT' });
      expect(await pay(h, 'p-3', 1000, 'high')).toMatchObject({ status: 'approved' }); // secure cards still pay
      expect(((await h.api('/healthz')).body as { cloud: { hotlist: { stale: boolean } } }).cloud.hotlist.stale).toBe(
        true,
      );
      await twin.pushDelta('gw-a', 'hotlist', { block: [card] });
      await waitFor(() => h.gw.hotlistStale() === false, 'fresh hotlist');
      await expect(h.gw.redemption.resolver.identify({ type: 'uid', uid: '04A2B3C4' })).rejects.toThrow(/blocked/i);
    },
  );

  it(
    'allowances: a grant is credited once however often it arrives; ' + 'a release hands back exactly what is unspent',
    async () => {
      const h = await gateway('gw-a');
      twin.wallets.set('m-1', 10_000);
      await twin.grantAllowance('gw-a', 'm-1', 3000);
      await waitFor(() => wallet(h) === 3000, 'credited');
      await twin.pushFull('gw-a', 'allowances'); // redelivered whole: nothing credited twice
      await twin.pushFull('gw-a', 'allowances');
      await new Promise((r) => setTimeout(r, 300));
      expect(wallet(h)).toBe(3000);
      await pay(h, 'p-1', 1200);
      await twin.pushDelta('gw-a', 'allowances', { releases: [{ releaseId: 'r-1', memberId: 'm-1' }] });
      await waitFor(() => wallet(h) === 0, 'released');
      await waitFor(
        () => twin.stream('gw-a', 'money').events.some((e) => e.kind === 'allowance.released'),
        'release reported',
      );
      const released = twin.stream('gw-a', 'money').events.find((e) => e.kind === 'allowance.released');
      expect(released?.data).toMatchObject({ memberId: 'm-1', amountFen: 1800 });
    },
  );

  it(
    'a single-use coupon is leased to one gateway at a time: ' +
      'when the lease moves, the old gateway can no longer use it',
    async () => {
      const a = await gateway('gw-a');
      const b = await gateway('gw-b');
      const campaign = {
        id: 'mj-10',
        name: { zh: '立减10元', en: '10 off' },
        effect: { type: 'amount_off', thresholdFen: 0, offFen: 1000 },
        usage: { type: 'single_use' },
        rules: {},
      };
      const leased = (usesLeft: number, leaseSeq: number) => ({
        ...member,
        benefits: [{ id: 'c-1', campaignId: 'mj-10', usesLeft, leaseSeq }],
      });
      await twin.pushDelta('gw-a', 'catalog', { campaigns: [campaign], members: [leased(1, 1)] });
      await twin.pushDelta('gw-b', 'catalog', { campaigns: [campaign], members: [leased(0, 1)] });
      twin.wallets.set('m-1', 20_000);
      await twin.grantAllowance('gw-a', 'm-1', 5000);
      await twin.grantAllowance('gw-b', 'm-1', 9000);
      await waitFor(
        () => wallet(a) === 5000 && wallet(b) === 9000 && a.gw.redemption.catalog.instance('c-1')?.usesLeft === 1,
        'leases and allowances in place',
      );
      expect(await pay(b, 'b-1', 3000)).toMatchObject({ status: 'approved', savingFen: 0 });
      // the lease moves to gw-b: gw-a's copy is used up, gw-b's is live
      await twin.pushDelta('gw-a', 'catalog', { members: [leased(0, 2)] });
      await twin.pushDelta('gw-b', 'catalog', { members: [leased(1, 2)] });
      await waitFor(
        () =>
          a.gw.redemption.catalog.instance('c-1')?.usesLeft === 0 &&
          b.gw.redemption.catalog.instance('c-1')?.usesLeft === 1,
        'lease moved',
      );
      expect(await pay(a, 'a-1', 3000)).toMatchObject({ status: 'approved', savingFen: 0 });
      expect(await pay(b, 'b-2', 3000)).toMatchObject({ status: 'approved', savingFen: 1000 });
      // used at gw-b; the same catalog again, or a full resync, never hands the coupon its use back
      await twin.pushDelta('gw-b', 'catalog', { members: [member] });
      await twin.pushFull('gw-b', 'catalog');
      await new Promise((r) => setTimeout(r, 300));
      expect(await pay(b, 'b-3', 3000)).toMatchObject({ status: 'approved', savingFen: 0 });
    },
  );

  it('an unsigned allowance, or one signed for another gateway, is refused', async () => {
    const h = await gateway('gw-a');
    const docs = h.gw.docs;
    if (!docs) throw new Error('no docs');
    const base = docs.version('allowances');
    const body = { grants: [{ grantId: 'forged', memberId: 'm-1', amountFen: 100_000 }] };
    const unsigned = { v: 1, doc: 'allowances', kind: 'delta', version: base + 1, base, issuedAt: clock.now(), body };
    expect(await docs.handle(Buffer.from(JSON.stringify(unsigned)))).toBe('refused');
    const forOther = signDoc('gw-b', unsigned as never, 'c1', keys.privateKey);
    expect(await docs.handle(Buffer.from(JSON.stringify(forOther)))).toBe('refused');
    expect(wallet(h)).toBe(0);
  });

  it('overspend found at reconciliation becomes a debt and a hotlist entry', async () => {
    const h = await gateway('gw-a');
    twin.wallets.set('m-1', 10_000);
    await twin.grantAllowance('gw-a', 'm-1', 1000);
    await waitFor(() => wallet(h) === 1000, 'credited');
    // money the cloud never granted appears in the gateway's wallet (a tampered box, a bad migration)
    h.gw.redemption.openingBalances.setOpening('m-1', 4000, 0, 'rogue', clock.now());
    expect(await pay(h, 'x-1', 3000)).toMatchObject({ status: 'approved' });
    await waitFor(() => twin.stream('gw-a', 'money').events.some((e) => e.kind === 'redemption.captured'), 'reported');
    const debts = await twin.reconcile('gw-a');
    expect(debts.get('m-1')).toBe(2000);
    await waitFor(
      () =>
        h.gw.redemption.resolver.identify({ type: 'uid', uid: '04A2B3C4' }).then(
          () => false,
          (err: unknown) => /blocked/i.test(String(err)),
        ),
      'the card is hotlisted at the gateway',
    );
  });

  it(
    'two gateways share a wallet, one offline: online authorisation beyond the allowance; ' +
      'offline spending is bounded by the allowance',
    async () => {
      const a = await gateway('gw-a');
      const b = await gateway('gw-b');
      twin.wallets.set('m-1', 10_000);
      await twin.grantAllowance('gw-a', 'm-1', 3000);
      await twin.grantAllowance('gw-b', 'm-1', 3000);
      await waitFor(() => wallet(a) === 3000 && wallet(b) === 3000, 'both credited');
      // b is online: a bill beyond its allowance is authorised by the cloud from what is left of the wallet
      expect(await pay(b, 'b-1', 5000)).toMatchObject({ status: 'approved' });
      expect(twin.wallets.get('m-1')).toBe(2000);
      // a loses the cloud: it spends its allowance and not a fen more
      await a.gw.cloud?.stop();
      expect(await pay(a, 'a-1', 2000)).toMatchObject({ status: 'approved' });
      expect(await pay(a, 'a-2', 2000)).toMatchObject({ status: 'declined', declineCode: 'INSUFFICIENT_FUNDS' });
      expect(await pay(a, 'a-3', 1000)).toMatchObject({ status: 'approved' });
      expect(wallet(a)).toBe(0);
      // the cloud's broker dies while b asks: the answer still comes within the timeout
      await mosq.stop();
      const t1 = Date.now();
      expect(await pay(b, 'b-x', 5000)).toMatchObject({ status: 'declined', declineCode: 'INSUFFICIENT_FUNDS' });
      expect(Date.now() - t1).toBeLessThan(3000);
      await mosq.start();
      await waitFor(() => b.gw.cloud?.isConnected === true && twin.wallets.size > 0, 'b back online', 10_000);
      // the cloud is slow: the gateway waits its timeout, then falls back to the offline limit
      twin.silent = true;
      const t0 = Date.now();
      expect(await pay(b, 'b-2', 5000)).toMatchObject({ status: 'declined', declineCode: 'INSUFFICIENT_FUNDS' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
      expect(Date.now() - t0).toBeLessThan(3000);
      // exact accounting: every fen spent anywhere was granted first; nothing spent beyond the wallet
      const spent = (h: Harness) =>
        (
          h.gw.store.db
            .prepare(
              "SELECT COALESCE(SUM(json_extract(result, '$.payableFen')), 0) AS s " +
                "FROM redemptions WHERE state = 'captured'",
            )
            .get() as { s: number }
        ).s;
      expect(spent(a)).toBe(3000);
      expect(spent(b)).toBe(5000);
      expect(spent(a)).toBeLessThanOrEqual(twin.granted.get('gw-a/m-1') ?? 0);
      expect(spent(b)).toBeLessThanOrEqual(twin.granted.get('gw-b/m-1') ?? 0);
      expect(spent(a) + spent(b) + (twin.wallets.get('m-1') ?? 0) + wallet(b)).toBe(10_000);
    },
  );
});

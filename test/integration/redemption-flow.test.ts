import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResponseMessageSchema } from '../../firmware-protocol/src/messages/response.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';

const FIXTURE = FixtureSchema.parse({
  merchants: [{ id: 'cafe-01', name: 'Café' }],
  campaigns: [
    {
      id: 'cafe-mj-50-10',
      name: { zh: '满50减10', en: '10 off 50' },
      effect: { type: 'amount_off', thresholdFen: 5000, offFen: 1000 },
      usage: { type: 'single_use' },
      rules: { merchants: ['cafe-01'] },
    },
  ],
  members: [
    {
      id: 'm-1',
      tier: 'regular',
      walletFen: 10000,
      cards: [{ type: 'uid', uid: '04A2B3C4' }],
      benefits: [{ id: 'b-1', campaignId: 'cafe-mj-50-10' }],
    },
    { id: 'm-2', tier: 'regular', walletFen: 5000, cards: [{ type: 'uid', uid: '04FFFFFF' }] },
  ],
  hotlist: [{ type: 'uid', uid: '04FFFFFF' }],
});

describe('redemption through the broker', () => {
  let h: Harness;
  let scanner: RawDevice;
  let vm: RawDevice;
  let n = 0;
  const responses = (d: RawDevice) =>
    d.received.filter((r) => r.topic.endsWith('/down/response')).map((r) => ResponseMessageSchema.parse(r.json));
  const ask = async (d: RawDevice, txn: string, body: unknown) => {
    const id = `${d.id}-req-${++n}`;
    await d.publishRaw(
      `linli/v1/dev/${d.id}/up/request`,
      JSON.stringify({ v: '1.0', id, ts: Date.now(), seq: n, txn, type: 'request', body }),
    );
    await waitFor(() => responses(d).some((r) => r.corr === id), `response to ${id}`);
    return responses(d).find((r) => r.corr === id)?.body;
  };

  beforeEach(async () => {
    h = await startGateway({ redemption: { lowTrust: { perTxnFen: 100000, perDayFen: 100000 } } } as never);
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    const s1 = (await h.gw.devices.provision({ id: 'scanner-01', kind: 'shop_scanner', merchantId: 'cafe-01' })).secret;
    const s2 = (await h.gw.devices.provision({ id: 'vm-01', kind: 'vending_machine' })).secret;
    scanner = await new RawDevice('scanner-01', 'shop_scanner', s1).connect(h.mqttUrl);
    await scanner.birth({ merchantId: 'cafe-01' });
    vm = await new RawDevice('vm-01', 'vending_machine', s2).connect(h.mqttUrl);
    await vm.birth({ slots: [{ slot: 'A1', productId: 'milk', priceFen: 450 }] });
    await waitFor(
      () => h.gw.monitor.get('vm-01')?.born === true && h.gw.monitor.get('scanner-01')?.born === true,
      'births',
    );
  });
  afterEach(async () => {
    scanner.client.end(true);
    vm.client.end(true);
    await h.stop();
  });

  it('a scanner redeems, a retry returns the same result, a reversal refunds', async () => {
    const body = { op: 'redeem', credential: { type: 'uid', uid: '04a2b3c4' }, amountFen: 6000 };
    const r1 = await ask(scanner, 'scan-t1', body);
    expect(r1).toMatchObject({
      status: 'ok',
      decision: 'approved',
      savingFen: 1000,
      payableFen: 5000,
      state: 'captured',
    });
    expect(r1?.status === 'ok' && r1.display.zh).toContain('¥50.00');
    const r2 = await ask(scanner, 'scan-t1', body);
    expect(r2).toEqual(r1);
    const list = await h.api('/api/v1/redemptions?merchant=cafe-01');
    expect(list.body.items).toHaveLength(1);
    const lookup = await h.api('/api/v1/members/lookup', {
      method: 'POST',
      body: { credential: { type: 'uid', uid: '04A2B3C4' } },
    });
    expect(lookup.body).toMatchObject({ memberId: 'm-1', walletFen: 5000 });
    const rid = r1?.status === 'ok' ? r1.redemptionId : '';
    const rev = await ask(scanner, 'scan-t2', { op: 'reverse', redemptionId: rid });
    expect(rev).toMatchObject({ status: 'ok', state: 'reversed' });
    expect(
      (
        await h.api('/api/v1/members/lookup', {
          method: 'POST',
          body: { credential: { type: 'uid', uid: '04A2B3C4' } },
        })
      ).body.walletFen,
    ).toBe(10000);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it('a vending machine authorizes, and a vend failure refunds; a late failure refunds only once', async () => {
    const auth = await ask(vm, 'vend-1', {
      op: 'authorize',
      credential: { type: 'uid', uid: '04A2B3C4' },
      items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }],
    });
    expect(auth).toMatchObject({ decision: 'approved', state: 'held', payableFen: 450 });
    expect(await ask(vm, 'vend-1', { op: 'void', reason: 'vend_failed' })).toMatchObject({ state: 'voided' });
    expect(await ask(vm, 'vend-1', { op: 'void', reason: 'vend_failed' })).toMatchObject({ state: 'voided' });
    expect(await ask(vm, 'vend-1', { op: 'capture' })).toMatchObject({ status: 'error', code: 'REDEMPTION_STATE' });
    expect(
      (
        await h.api('/api/v1/members/lookup', {
          method: 'POST',
          body: { credential: { type: 'uid', uid: '04A2B3C4' } },
        })
      ).body.walletFen,
    ).toBe(10000);
    const ok = await ask(vm, 'vend-2', {
      op: 'authorize',
      credential: { type: 'uid', uid: '04A2B3C4' },
      items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }],
    });
    expect(ok).toMatchObject({ state: 'held' });
    expect(await ask(vm, 'vend-2', { op: 'capture' })).toMatchObject({ state: 'captured' });
  });

  it('refuses hotlisted and unknown cards, other shops and the wrong device kind with coded responses', async () => {
    expect(
      await ask(scanner, 't-blk', { op: 'redeem', credential: { type: 'uid', uid: '04FFFFFF' }, amountFen: 100 }),
    ).toMatchObject({ status: 'error', code: 'CARD_BLOCKED' });
    expect(
      await ask(scanner, 't-unk', { op: 'redeem', credential: { type: 'uid', uid: '01020304' }, amountFen: 100 }),
    ).toMatchObject({ status: 'error', code: 'MEMBER_NOT_FOUND' });
    expect(
      await ask(vm, 't-kind', { op: 'redeem', credential: { type: 'uid', uid: '04A2B3C4' }, amountFen: 100 }),
    ).toMatchObject({ status: 'error', code: 'OPERATION_NOT_ALLOWED' });
    const vend = await ask(vm, 'vend-x', {
      op: 'authorize',
      credential: { type: 'uid', uid: '04A2B3C4' },
      items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }],
    });
    const rid = vend?.status === 'ok' ? vend.redemptionId : '';
    expect(await ask(scanner, 't-rev', { op: 'reverse', redemptionId: rid })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_NOT_FOUND',
    });
    expect(await ask(scanner, 't-cap', { op: 'capture' })).toMatchObject({
      status: 'error',
      code: 'OPERATION_NOT_ALLOWED',
    });
  });

  it('staff reverse over the API needs the operator role', async () => {
    const r = await ask(scanner, 'scan-x', {
      op: 'redeem',
      credential: { type: 'uid', uid: '04A2B3C4' },
      amountFen: 3000,
    });
    const rid = r?.status === 'ok' ? r.redemptionId : '';
    const viewer = (await h.gw.tokens.create('viewer')).token;
    expect((await h.api(`/api/v1/redemptions/${rid}/reverse`, { method: 'POST', token: viewer })).status).toBe(403);
    const done = await h.api(`/api/v1/redemptions/${rid}/reverse`, { method: 'POST' });
    expect(done.body).toMatchObject({ state: 'reversed' });
    expect((await h.api(`/api/v1/redemptions/${rid}`)).body.reversal).toEqual({
      by: expect.stringMatching(/^staff:tok_/),
      note: null,
    });
  });

  it('the note staff give with a reversal is kept with it; a retry does not rewrite it', async () => {
    const r = await ask(scanner, 'scan-note', {
      op: 'redeem',
      credential: { type: 'uid', uid: '04A2B3C4' },
      amountFen: 1800,
    });
    const rid = r?.status === 'ok' ? r.redemptionId : '';
    const reverse = (note: string) => h.api(`/api/v1/redemptions/${rid}/reverse`, { method: 'POST', body: { note } });
    expect((await reverse('goods returned')).body).toMatchObject({ state: 'reversed' });
    expect((await reverse('second thoughts')).body).toMatchObject({ state: 'reversed' }); // the same staff's retry
    expect((await h.api(`/api/v1/redemptions/${rid}`)).body.reversal).toMatchObject({ note: 'goods returned' });
    expect((await h.api(`/api/v1/redemptions/${rid}/reverse`, { method: 'POST', body: { note: ' ' } })).status).toBe(
      400,
    );
  });

  it(
    'a scanner cannot claim another shop than the one staff bound it to: ' +
      'it sells for its bound shop, and staff see why',
    async () => {
      const s3 = (await h.gw.devices.provision({ id: 'scanner-03', kind: 'shop_scanner', merchantId: 'cafe-01' }))
        .secret;
      const rogue = await new RawDevice('scanner-03', 'shop_scanner', s3).connect(h.mqttUrl);
      try {
        await rogue.birth({ merchantId: 'grocery-02' });
        await waitFor(() => rogue.errors().length > 0, 'refusal');
        expect(rogue.errors()[0].body.code).toBe('MERCHANT_MISMATCH');
        // the birth stands: no NOT_BORN on every request, no rebirth loop [FWP-8.2]
        expect(h.gw.monitor.get('scanner-03')?.born).toBe(true);
        expect(h.gw.monitor.get('scanner-03')?.verdict).toMatchObject({
          status: 'degraded',
          reasons: [{ code: 'MERCHANT_MISMATCH' }],
        });
        const sale = await ask(rogue, 't-rogue', {
          op: 'redeem',
          credential: { type: 'uid', uid: '04A2B3C4' },
          amountFen: 100,
        });
        expect(sale).toMatchObject({ status: 'ok', decision: 'approved' });
        expect(h.gw.redemption.redemptions.byTxn('scanner-03', 't-rogue')?.merchantId).toBe('cafe-01');
        expect(rogue.errors().filter((e) => e.body.code === 'NOT_BORN')).toEqual([]);
        const s4 = (await h.gw.devices.provision({ id: 'scanner-04', kind: 'shop_scanner' })).secret;
        const unbound = await new RawDevice('scanner-04', 'shop_scanner', s4).connect(h.mqttUrl);
        await unbound.birth({ merchantId: 'cafe-01' });
        await waitFor(() => h.gw.monitor.get('scanner-04')?.born === true, 'unbound birth');
        expect(
          await ask(unbound, 't-unbound', {
            op: 'redeem',
            credential: { type: 'uid', uid: '04A2B3C4' },
            amountFen: 100,
          }),
        ).toMatchObject({ status: 'error', code: 'OPERATION_NOT_ALLOWED' });
        unbound.client.end(true);
      } finally {
        rogue.client.end(true);
      }
    },
  );
});

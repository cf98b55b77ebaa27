import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { ask } from '../support/ask.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';

const FIXTURE = FixtureSchema.parse({
  merchants: [{ id: 'cafe-01', name: 'Café' }],
  campaigns: [
    {
      id: 'mj-50-10',
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
      benefits: [
        { id: 'b-1', campaignId: 'mj-50-10', couponCode: 'LCaaaa11112222' },
        { id: 'b-2', campaignId: 'mj-50-10', couponCode: 'LCbbbb11112222' },
        { id: 'b-3', campaignId: 'mj-50-10' },
      ],
    },
  ],
});

describe('scanning a coupon QR at a shop [FWP-11.8]', () => {
  let h: Harness;
  let scanner: RawDevice;
  let vm: RawDevice;
  const wallet = () => h.gw.redemption.ledger.balance(account.wallet('m-1'), 'fen');

  beforeEach(async () => {
    h = await startGateway();
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    scanner = await new RawDevice(
      'scanner-01',
      'shop_scanner',
      (await h.gw.devices.provision({ id: 'scanner-01', kind: 'shop_scanner', merchantId: 'cafe-01' })).secret,
    ).connect(h.mqttUrl);
    await scanner.birth({ merchantId: 'cafe-01' }, 3600);
    vm = await new RawDevice(
      'vm-01',
      'vending_machine',
      (await h.gw.devices.provision({ id: 'vm-01', kind: 'vending_machine' })).secret,
    ).connect(h.mqttUrl);
    await vm.birth({ slots: [{ slot: 'A1', productId: 'milk', priceFen: 450 }] }, 3600);
    await waitFor(
      () => h.gw.monitor.get('scanner-01')?.born === true && h.gw.monitor.get('vm-01')?.born === true,
      'births',
    );
  });
  afterEach(async () => {
    scanner.client.end(true);
    vm.client.end(true);
    await h.stop();
  });

  it(
    'applies exactly that coupon; ' +
      'the rest is paid at the till, never from the wallet; scanned twice it is used once',
    async () => {
      const coupon = { type: 'coupon', code: 'LCaaaa11112222' };
      const r = await ask(scanner, 'bill-1', { op: 'redeem', credential: coupon, amountFen: 6000 });
      expect(r).toMatchObject({
        decision: 'approved',
        savingFen: 1000,
        payableFen: 5000,
        paidBy: 'none',
        state: 'captured',
      });
      expect(wallet()).toBe(10000);
      expect(await ask(scanner, 'bill-1', { op: 'redeem', credential: coupon, amountFen: 6000 })).toEqual(r);
      expect(await ask(scanner, 'bill-2', { op: 'redeem', credential: coupon, amountFen: 6000 })).toMatchObject({
        decision: 'declined',
        declineCode: 'COUPON_NOT_APPLICABLE',
      });
      // the member's card, by contrast, picks the best benefit itself and pays from the wallet
      expect(
        await ask(scanner, 'bill-3', { op: 'redeem', credential: { type: 'uid', uid: '04A2B3C4' }, amountFen: 6000 }),
      ).toMatchObject({ decision: 'approved', payableFen: 5000, paidBy: 'own' });
      expect(wallet()).toBe(5000);
    },
  );

  it('a coupon that does not apply says why; a coupon code opens nothing else', async () => {
    const r = await ask(scanner, 'bill-1', {
      op: 'redeem',
      credential: { type: 'coupon', code: 'LCbbbb11112222' },
      amountFen: 3000,
    });
    expect(r).toMatchObject({ decision: 'declined', declineCode: 'COUPON_NOT_APPLICABLE' });
    expect(r.status === 'ok' && r.display.zh).toContain('此券不能用');
    expect(
      await ask(scanner, 'x-1', {
        op: 'redeem',
        credential: { type: 'coupon', code: 'LCzzzz99998888' },
        amountFen: 6000,
      }),
    ).toMatchObject({ status: 'error', code: 'CREDENTIAL_INVALID' });
    expect(
      await ask(vm, 'v-1', { op: 'vend_begin', credential: { type: 'coupon', code: 'LCbbbb11112222' } }),
    ).toMatchObject({ status: 'error', code: 'OPERATION_NOT_ALLOWED' });
    expect(
      await ask(scanner, 'l-1', { op: 'lookup', credential: { type: 'coupon', code: 'LCbbbb11112222' } }),
    ).toMatchObject({ status: 'error', code: 'OPERATION_NOT_ALLOWED' });
  });

  it('staff issue a code for an issued coupon; only its keyed hash is stored', async () => {
    const made = await h.api('/api/v1/benefits/b-3/coupon-code', { method: 'POST' });
    expect(made.status).toBe(201);
    const code = (made.body as { code: string }).code;
    expect(code).toMatch(/^LC[0-9A-Za-z]{10,30}$/);
    expect(JSON.stringify(h.gw.store.db.prepare('SELECT * FROM coupon_codes').all())).not.toContain(code);
    expect(
      await ask(scanner, 'bill-9', { op: 'redeem', credential: { type: 'coupon', code }, amountFen: 5000 }),
    ).toMatchObject({ decision: 'approved', savingFen: 1000 });
  });
});

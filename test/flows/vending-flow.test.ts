import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { ask } from '../support/ask.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';
import { vendingOf } from '../support/kind-parts.ts';

const FIXTURE = FixtureSchema.parse({
  merchants: [{ id: 'vm-01', name: 'Vending 1' }],
  campaigns: [
    {
      id: 'milk-2-off',
      name: { zh: '牛奶立减2元', en: 'Milk 2 off' },
      effect: { type: 'amount_off', thresholdFen: 0, offFen: 200 },
      usage: { type: 'single_use' },
      rules: { products: ['milk'] },
    },
  ],
  members: [
    {
      id: 'm-1',
      tier: 'regular',
      walletFen: 1000,
      cards: [{ type: 'uid', uid: '04A2B3C4' }],
      benefits: [{ id: 'b-1', campaignId: 'milk-2-off' }],
    },
    { id: 'm-2', tier: 'regular', walletFen: 300, cards: [{ type: 'uid', uid: '04B0B0B0' }] },
  ],
});
const card = { type: 'uid', uid: '04A2B3C4' };
const milk = { slot: 'A1', productId: 'milk', priceFen: 450 };
const cola = { slot: 'B1', productId: 'cola', priceFen: 350 };

describe('vending session over the broker [FWP-11.4]', () => {
  let h: Harness;
  let vm: RawDevice;
  let secret: string;
  let clock: ManualClock;
  const wallet = (m: string) => h.gw.redemption.ledger.balance(account.wallet(m), 'fen');

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    h = await startGateway({ redemption: { lowTrust: { perTxnFen: 100000, perDayFen: 100000 } } } as never, { clock });
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    secret = (await h.gw.devices.provision({ id: 'vm-01', kind: 'vending_machine' })).secret;
    vm = await new RawDevice('vm-01', 'vending_machine', secret).connect(h.mqttUrl);
    await vm.birth({ slots: [{ slot: 'A1', productId: 'milk', priceFen: 450 }] }, 3600);
    await waitFor(() => h.gw.monitor.get('vm-01')?.born === true, 'birth');
  });
  afterEach(async () => {
    vm.client.end(true);
    await h.stop();
  });

  it('card first: begin with funds, vend approved with the benefit, success captures, complete ends', async () => {
    expect(await ask(vm, 's-1', { op: 'vend_begin', credential: card })).toMatchObject({
      status: 'ok',
      decision: 'approved',
      fundsFen: 1000,
    });
    const v = await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk });
    expect(v).toMatchObject({ decision: 'approved', state: 'held', savingFen: 200, payableFen: 250 });
    expect(vendingOf(h.gw).vending.session('vm-01').name).toBe('approved');
    expect(wallet('m-1')).toBe(750);
    expect(await ask(vm, 'v-1', { op: 'vend_result', success: true })).toMatchObject({
      state: 'captured',
      payableFen: 250,
    });
    expect(await ask(vm, 's-1', { op: 'vend_end', reason: 'complete' })).toMatchObject({
      status: 'ok',
      decision: 'none',
    });
    expect(vendingOf(h.gw).vending.session('vm-01').name).toBe('idle');
    expect(wallet('m-1')).toBe(750);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it('every retry is idempotent: the same txn gets the same answer and moves no money twice', async () => {
    const b1 = await ask(vm, 's-1', { op: 'vend_begin', credential: card });
    expect(await ask(vm, 's-1', { op: 'vend_begin', credential: card })).toEqual(b1);
    const v1 = await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk });
    expect(await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk })).toEqual(v1);
    const r1 = await ask(vm, 'v-1', { op: 'vend_result', success: false, reason: 'E_MOTOR' });
    expect(r1).toMatchObject({ state: 'voided' });
    expect(await ask(vm, 'v-1', { op: 'vend_result', success: false })).toMatchObject({ state: 'voided' });
    expect(await ask(vm, 's-1', { op: 'vend_end', reason: 'complete' })).toMatchObject({ status: 'ok' });
    expect(await ask(vm, 's-1', { op: 'vend_end', reason: 'complete' })).toMatchObject({ status: 'ok' });
    expect(wallet('m-1')).toBe(1000);
    // the benefit is back too: the next vend gets it again
    await ask(vm, 's-2', { op: 'vend_begin', credential: card });
    expect(await ask(vm, 'v-2', { op: 'vend_request', session: 's-2', item: milk })).toMatchObject({
      savingFen: 200,
      payableFen: 250,
    });
  });

  it('a transport duplicate (the same message id again, as after a QoS 1 redelivery) is answered once', async () => {
    await ask(vm, 's-1', { op: 'vend_begin', credential: card });
    const body = { op: 'vend_request', session: 's-1', item: milk };
    await ask(vm, 'v-1', body, 'vm-01-dup-1');
    await vm.publishRaw(
      'linli/v1/dev/vm-01/up/request',
      JSON.stringify({ v: '1.1', id: 'vm-01-dup-1', ts: Date.now(), seq: 999, txn: 'v-1', type: 'request', body }),
    );
    await ask(vm, 'v-1', { op: 'vend_result', success: true });
    expect(vm.received.filter((r) => r.topic.endsWith('/down/response') && r.json.corr === 'vm-01-dup-1')).toHaveLength(
      1,
    );
    expect(wallet('m-1')).toBe(750);
  });

  it('selection first: the item is chosen, then the card tapped', async () => {
    const v = await ask(vm, 'v-9', { op: 'vend_request', credential: card, item: cola });
    expect(v).toMatchObject({ decision: 'approved', state: 'held', payableFen: 350 });
    expect(await ask(vm, 'v-9', { op: 'vend_result', success: true })).toMatchObject({ state: 'captured' });
    expect(await ask(vm, 'v-9', { op: 'vend_end', reason: 'complete' })).toMatchObject({ status: 'ok' });
    expect(wallet('m-1')).toBe(650);
  });

  it('a denied vend leaves the session open for a cheaper choice; cancel ends it', async () => {
    await ask(vm, 's-1', { op: 'vend_begin', credential: { type: 'uid', uid: '04B0B0B0' } });
    expect(await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk })).toMatchObject({
      decision: 'declined',
      declineCode: 'INSUFFICIENT_FUNDS',
    });
    expect(vendingOf(h.gw).vending.session('vm-01').name).toBe('session');
    expect(
      await ask(vm, 'v-2', { op: 'vend_request', session: 's-1', item: { ...cola, priceFen: 300 } }),
    ).toMatchObject({ decision: 'approved' });
    await ask(vm, 'v-2', { op: 'vend_result', success: true });
    expect(await ask(vm, 's-1', { op: 'vend_end', reason: 'cancel' })).toMatchObject({ status: 'ok' });
    expect(wallet('m-2')).toBe(0);
  });

  it(
    'a timeout at each step voids what is held; ' + 'a late vend failure after a reconnect refunds exactly once',
    async () => {
      // no selection: the session runs out, nothing was held
      await ask(vm, 's-1', { op: 'vend_begin', credential: card });
      clock.advance(31_000);
      await vendingOf(h.gw).vending.tick();
      expect(vendingOf(h.gw).vending.session('vm-01').name).toBe('idle');
      expect(await ask(vm, 'v-0', { op: 'vend_request', session: 's-1', item: milk })).toMatchObject({
        status: 'error',
        code: 'REDEMPTION_STATE',
      });

      // approved, then the machine goes silent: the hold is voided after vendResultS
      await ask(vm, 's-2', { op: 'vend_begin', credential: card });
      await ask(vm, 'v-1', { op: 'vend_request', session: 's-2', item: milk });
      expect(wallet('m-1')).toBe(750);
      vm.client.end(true);
      clock.advance(46_000);
      await vendingOf(h.gw).vending.tick();
      expect(wallet('m-1')).toBe(1000);

      // it comes back (new MQTT session, new birth) and reports the vend failed: voided, no second refund
      vm = await new RawDevice('vm-01', 'vending_machine', secret, 2).connect(h.mqttUrl);
      await vm.birth({ slots: [{ slot: 'A1', productId: 'milk', priceFen: 450 }] }, 3600);
      await waitFor(() => h.gw.monitor.get('vm-01')?.bdSeq === 2, 'rebirth');
      expect(await ask(vm, 'v-1', { op: 'vend_result', success: false })).toMatchObject({ state: 'voided' });
      expect(await ask(vm, 'v-1', { op: 'vend_result', success: false })).toMatchObject({ state: 'voided' });
      expect(wallet('m-1')).toBe(1000);
      // a late success after the void is refused (the resident was not charged) and flagged
      expect(await ask(vm, 'v-1', { op: 'vend_result', success: true })).toMatchObject({
        status: 'error',
        code: 'REDEMPTION_STATE',
      });
      expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
    },
  );

  it('a vend result at the last second before the deadline still captures (the hold outlives the vend)', async () => {
    await ask(vm, 's-1', { op: 'vend_begin', credential: card });
    await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk });
    clock.advance(44_000); // the gateway's ticker runs on this clock: flow timeouts and its own hold expiry
    await h.gw.tick();
    expect(await ask(vm, 'v-1', { op: 'vend_result', success: true })).toMatchObject({ state: 'captured' });
  });

  it('refuses a configuration where holds would expire before the vend result is due', async () => {
    const { ConfigSchema } = await import('../../gateway/config/schema.ts');
    const r = ConfigSchema.safeParse({
      dataDir: '/tmp/x',
      redemption: { holdTimeoutS: 30 },
      flows: { vending: { vendResultS: 60 } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['redemption', 'holdTimeoutS']);
  });

  it('refuses messages out of order with a coded answer; a second tap replaces an idle session', async () => {
    expect(await ask(vm, 'v-x', { op: 'vend_result', success: true })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_NOT_FOUND',
    });
    await ask(vm, 's-1', { op: 'vend_begin', credential: card });
    expect(await ask(vm, 's-2', { op: 'vend_begin', credential: { type: 'uid', uid: '04B0B0B0' } })).toMatchObject({
      fundsFen: 300,
    });
    expect(await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_STATE',
    });
    await ask(vm, 'v-2', { op: 'vend_request', session: 's-2', item: { ...cola, priceFen: 100 } });
    // a vend awaits its result: neither a new tap nor the end of the session may drop it
    expect(await ask(vm, 's-3', { op: 'vend_begin', credential: card })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_STATE',
    });
    expect(await ask(vm, 's-2', { op: 'vend_end', reason: 'cancel' })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_STATE',
    });
    // neither session nor credential: refused by the schema on the error topic
    await vm.send('request', 'request', { op: 'vend_request', item: milk }, {});
    await waitFor(() => vm.errors().some((e) => e.body.code === 'SCHEMA_INVALID'), 'schema error');
  });
});

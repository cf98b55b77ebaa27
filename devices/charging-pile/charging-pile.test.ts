import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { ask, sendEvent } from '../../test/support/ask.ts';
import { startGateway, waitFor, type Harness } from '../../test/support/gateway-harness.ts';
import { RawDevice } from '../../test/support/raw-device.ts';
import { chargingDemo } from './demo.ts';

const FIXTURE = FixtureSchema.parse({
  merchants: [{ id: 'pile-01', name: 'Charging pile 1' }],
  campaigns: chargingDemo.campaigns,
  members: [
    { id: 'm-1', tier: 'regular', walletFen: 2000, cards: [{ type: 'uid', uid: '04A2B3C4' }] },
    { id: 'm-gold', tier: 'gold', walletFen: 2000, cards: [{ type: 'uid', uid: '04C0C0C0' }] },
    {
      id: 'm-month',
      tier: 'regular',
      walletFen: 2000,
      cards: [{ type: 'uid', uid: '04D0D0D0' }],
      benefits: [{ id: 'b-month', campaignId: 'ebike-monthly-card' }],
    },
    {
      id: 'm-coupon',
      tier: 'regular',
      walletFen: 2000,
      cards: [{ type: 'uid', uid: '04E0E0E0' }],
      benefits: [{ id: 'b-mj', campaignId: 'charge-mj-5-1' }],
    },
    { id: 'm-poor', tier: 'regular', walletFen: 300, cards: [{ type: 'uid', uid: '04F0F0F0' }] },
  ],
});
const card = (uid: string) => ({ type: 'uid', uid });
const CAPS = {
  sockets: [
    { id: '1', maxPowerW: 1000 },
    { id: '2', maxPowerW: 1000 },
  ],
  tariff: { per: 'hour', priceFen: 100 },
  maxHours: 8,
};
const HOUR = 3600_000;

describe('e-bike charging pile over the broker [FWP-7.6, FWP-11.9]', () => {
  let h: Harness;
  let pile: RawDevice;
  let clock: ManualClock;
  let secret: string;
  const wallet = (m: string) => h.gw.redemption.ledger.balance(account.wallet(m), 'fen');
  const reasons = () => h.gw.monitor.get('pile-01')?.verdict.reasons.map((r) => r.code) ?? [];

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 11, 1, 12));
    h = await startGateway({ redemption: { lowTrust: { perTxnFen: 100000, perDayFen: 100000 } } } as never, { clock });
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    secret = (await h.gw.devices.provision({ id: 'pile-01', kind: 'charging_pile' })).secret;
    pile = await new RawDevice('pile-01', 'charging_pile', secret).connect(h.mqttUrl);
    await pile.birth(CAPS, 3600);
    await waitFor(() => h.gw.monitor.get('pile-01')?.born === true, 'birth');
  });
  afterEach(async () => {
    pile.client.end(true);
    await h.stop();
  });

  const begin = (txn: string, uid: string, extra: Record<string, unknown> = {}) =>
    ask(pile, txn, { op: 'charge_begin', socket: '1', credential: card(uid), ...extra });
  const end = (txn: string, session: string, minutes: number, extra: Record<string, unknown> = {}) =>
    ask(pile, txn, {
      op: 'charge_end',
      socket: '1',
      session,
      minutes,
      energyWh: minutes * 7,
      reason: 'unplugged',
      ...extra,
    });

  it('holds the longest charge chosen, captures the started hours used and releases the rest', async () => {
    const b = await begin('c-1', '04A2B3C4', { hours: 4 });
    expect(b).toMatchObject({ status: 'ok', op: 'charge_begin', decision: 'approved', state: 'held', payableFen: 400 });
    expect(wallet('m-1')).toBe(1600);
    const e = await end('e-1', 'c-1', 118);
    expect(e).toMatchObject({
      status: 'ok',
      op: 'charge_end',
      decision: 'approved',
      state: 'captured',
      payableFen: 200,
    });
    expect(e.status === 'ok' && e.display.en).toContain('the rest released');
    expect(wallet('m-1')).toBe(1800);
    expect(h.gw.redemption.ledger.balance(account.merchant('pile-01'), 'fen')).toBe(200);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it(
    'without a choice holds the pile’s longest charge; ' + 'a charge that used nothing releases the whole hold',
    async () => {
      expect(await begin('c-1', '04A2B3C4')).toMatchObject({ decision: 'approved', payableFen: 800 });
      expect(await end('e-1', 'c-1', 0)).toMatchObject({ status: 'ok', decision: 'none', payableFen: 0 });
      expect(wallet('m-1')).toBe(2000);
      expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
    },
  );

  it('applies charging benefits on what was really used: monthly card, gold free hours, 满减 coupon', async () => {
    // the monthly card makes up to ten hours of a charge free
    await begin('c-m', '04D0D0D0', { hours: 3 });
    expect(await end('e-m', 'c-m', 150)).toMatchObject({ decision: 'approved', payableFen: 0, savingFen: 300 });
    expect(wallet('m-month')).toBe(2000);
    // gold members: the first two hours of a charge are free
    await ask(pile, 'c-g', { op: 'charge_begin', socket: '2', credential: card('04C0C0C0'), hours: 5 });
    const g = await ask(pile, 'e-g', {
      op: 'charge_end',
      socket: '2',
      session: 'c-g',
      minutes: 170,
      energyWh: 900,
      reason: 'full',
    });
    expect(g).toMatchObject({ decision: 'approved', payableFen: 100, savingFen: 200 });
    expect(wallet('m-gold')).toBe(1900);
    // 满5减1: only when the charge used reaches ¥5 — a short charge keeps the coupon for next time
    await begin('c-s', '04E0E0E0', { hours: 8 });
    expect(await end('e-s', 'c-s', 100)).toMatchObject({ payableFen: 200, savingFen: 0 });
    expect(h.gw.redemption.catalog.instance('b-mj')?.status).toBe('active');
    await begin('c-l', '04E0E0E0', { hours: 8 });
    expect(await end('e-l', 'c-l', 350)).toMatchObject({ payableFen: 500, savingFen: 100 });
    expect(wallet('m-coupon')).toBe(2000 - 200 - 500);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it('every resend gets its first answer; a second settlement of one charge is refused', async () => {
    const b1 = await begin('c-1', '04A2B3C4', { hours: 2 });
    expect(await begin('c-1', '04A2B3C4', { hours: 2 })).toEqual(b1);
    expect(wallet('m-1')).toBe(1800);
    const e1 = await end('e-1', 'c-1', 61);
    expect(await end('e-1', 'c-1', 61)).toEqual(e1);
    expect(wallet('m-1')).toBe(1800);
    expect(await end('e-2', 'c-1', 61)).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_STATE',
      refusal: 'ALREADY_SETTLED',
    });
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it('one charge per socket; a declined hold never starts the socket; only piles may charge', async () => {
    await begin('c-1', '04A2B3C4', { hours: 2 });
    expect(await begin('c-2', '04C0C0C0')).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_STATE',
      refusal: 'SOCKET_BUSY',
    });
    expect(await ask(pile, 'c-3', { op: 'charge_begin', socket: '9', credential: card('04C0C0C0') })).toMatchObject({
      status: 'error',
      code: 'OPERATION_NOT_ALLOWED',
    });
    const poor = await ask(pile, 'c-4', { op: 'charge_begin', socket: '2', credential: card('04F0F0F0'), hours: 8 });
    expect(poor).toMatchObject({ decision: 'declined', declineCode: 'INSUFFICIENT_FUNDS' });
    expect(await end('e-4', 'c-4', 10, { socket: '2' })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_NOT_FOUND',
    });
    const vmSecret = (await h.gw.devices.provision({ id: 'vm-01', kind: 'vending_machine' })).secret;
    const vm = await new RawDevice('vm-01', 'vending_machine', vmSecret).connect(h.mqttUrl);
    await vm.birth({ slots: [{ slot: 'A1' }] }, 3600);
    await waitFor(() => h.gw.monitor.get('vm-01')?.born === true, 'vm birth');
    expect(await ask(vm, 'x-1', { op: 'charge_begin', socket: '1', credential: card('04A2B3C4') })).toMatchObject({
      status: 'error',
      code: 'OPERATION_NOT_ALLOWED',
    });
    vm.client.end(true);
  });

  it('a pile offline mid-charge settles from its own meter when it is back, within the hold', async () => {
    await begin('c-1', '04A2B3C4', { hours: 3 });
    pile.crash();
    await waitFor(async () => {
      clock.advance(1000);
      await h.gw.tick();
      return h.gw.monitor.get('pile-01')?.presence === 'offline';
    }, 'offline');
    clock.advance(2.5 * HOUR);
    await h.gw.tick();
    expect(wallet('m-1')).toBe(1700); // still held: the hold lasts the charge and two hours more
    pile = await new RawDevice('pile-01', 'charging_pile', secret, 2).connect(h.mqttUrl);
    await pile.birth(CAPS, 3600);
    await waitFor(() => h.gw.monitor.get('pile-01')?.born === true, 'rebirth');
    expect(await end('e-1', 'c-1', 150, { reason: 'full' })).toMatchObject({ decision: 'approved', payableFen: 300 });
    expect(wallet('m-1')).toBe(1700);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it(
    'a pile back after its hold expired is refunded in full, ' + 'then charged from the wallet for what it metered',
    async () => {
      await begin('c-1', '04A2B3C4', { hours: 1 });
      pile.crash();
      clock.advance(3.5 * HOUR);
      await h.gw.tick();
      expect(wallet('m-1')).toBe(2000);
      pile = await new RawDevice('pile-01', 'charging_pile', secret, 2).connect(h.mqttUrl);
      await pile.birth(CAPS, 3600);
      await waitFor(() => h.gw.monitor.get('pile-01')?.born === true, 'rebirth');
      expect(await end('e-1', 'c-1', 55)).toMatchObject({ decision: 'approved', payableFen: 100 });
      expect(wallet('m-1')).toBe(1900);
      expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
    },
  );

  it('over-current and over-temperature: a fault at once and the socket cut by command', async () => {
    const telemetry = (sockets: unknown[]) => pile.send('telemetry', 'telemetry', { kind: 'charging_pile', sockets });
    await telemetry([{ id: '1', state: 'charging', plugged: true, currentA: 9.8, temperatureC: 40 }]);
    await waitFor(() => pile.commands().some((c) => c.body.name === 'cut_socket'), 'cut command');
    expect(pile.commands().find((c) => c.body.name === 'cut_socket')?.body.args).toEqual({
      socket: '1',
      reason: 'over_current',
    });
    await waitFor(() => reasons().includes('OVER_CURRENT'), 'OVER_CURRENT finding');
    expect(h.gw.monitor.get('pile-01')?.verdict.status).toBe('fault');
    // the same danger reported again is not cut again; a new one (heat) is
    await telemetry([{ id: '1', state: 'charging', plugged: true, currentA: 9.8, temperatureC: 40 }]);
    await telemetry([{ id: '2', state: 'charging', plugged: true, currentA: 2, temperatureC: 81 }]);
    await waitFor(() => reasons().includes('OVER_TEMPERATURE'), 'OVER_TEMPERATURE finding');
    await waitFor(() => pile.commands().filter((c) => c.body.name === 'cut_socket').length === 2, 'second cut');
    expect(pile.commands().map((c) => c.body.args.reason)).toEqual(['over_current', 'over_temperature']);
    // cooled down and cut: the pile is healthy again
    await telemetry([{ id: '1', state: 'idle', currentA: 0, temperatureC: 30 }]);
    // a fault clears once it has stayed away for health.faultClearS (flap damping)
    await waitFor(async () => {
      clock.advance(5000);
      await h.gw.tick();
      return !reasons().includes('OVER_CURRENT') && !reasons().includes('OVER_TEMPERATURE');
    }, 'cleared');
  });

  it('a socket left occupied 30 minutes after the battery is full is a finding until the plug comes out', async () => {
    await sendEvent(pile, { event: 'socket', socket: '1', state: 'full' });
    // a device's messages are handled in order: once a later request is answered, the event was seen
    await ask(pile, 'probe-1', { op: 'lookup', credential: card('04A2B3C4') });
    clock.advance(29 * 60_000);
    await h.gw.tick();
    expect(reasons()).not.toContain('OCCUPIED_AFTER_FULL');
    clock.advance(2 * 60_000);
    await h.gw.tick();
    await waitFor(() => reasons().includes('OCCUPIED_AFTER_FULL'), 'occupied finding');
    await sendEvent(pile, { event: 'socket', socket: '1', state: 'unplugged' });
    await waitFor(async () => {
      await h.gw.tick();
      return !reasons().includes('OCCUPIED_AFTER_FULL');
    }, 'finding cleared');
  });

  it('staff see the charges in progress and cut a socket by hand (operators only)', async () => {
    await begin('c-1', '04A2B3C4', { hours: 2 });
    const list = await h.api('/api/v1/charging/sessions');
    expect(list.status).toBe(200);
    expect(list.body.items).toMatchObject([{ pileId: 'pile-01', socket: '1', session: 'c-1', memberId: 'm-1' }]);
    const viewer = (await h.gw.tokens.create('viewer')).token;
    const refused = await h.api('/api/v1/charging/pile-01/sockets/1/cut', { method: 'POST', token: viewer });
    expect(refused.status).toBe(403);
    expect(pile.commands()).toEqual([]);
    const cut = h.api('/api/v1/charging/pile-01/sockets/1/cut', { method: 'POST' });
    await waitFor(() => pile.commands().length === 1, 'the cut command');
    const cmd = pile.commands()[0];
    expect(cmd.body).toMatchObject({ name: 'cut_socket', args: { socket: '1', reason: 'staff' } });
    await pile.send('ack', 'ack', { status: 'done' }, { corr: cmd.id });
    expect(await cut).toMatchObject({ status: 200, body: { pileId: 'pile-01', socket: '1', status: 'done' } });
    expect((await h.api('/api/v1/charging/pile-01/sockets/9/cut', { method: 'POST' })).status).toBe(404);
  });
});

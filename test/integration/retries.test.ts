import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { cardFileReadKey } from '../../gateway/redemption/credentials/key-diversification.ts';
import { makeSunMessage } from '../../gateway/redemption/credentials/ntag424-sun.ts';
import { issueCredential, makeQrCode, rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { ask } from '../support/ask.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';
import { vendingOf } from '../support/kind-parts.ts';

const META = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
const MASTER = Buffer.from('F0E0D0C0B0A090807060504030201000', 'hex');
const UID = Buffer.from('04DE5F1EACC040', 'hex');
const CRED_ID = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
const tap = (counter: number) => ({
  type: 'sun' as const,
  ...makeSunMessage(UID, counter, META, cardFileReadKey(MASTER, UID)),
});

/**
 * [FWP-4.3] A device that lost an answer resends the same request with the same txn and a new message
 * id. It must get the first answer back whatever the credential (a secure card's tap, a rotating QR
 * code), whatever happened in between, and nothing may be charged twice.
 */
describe('retries of a transaction get the first answer, for every credential and operation', () => {
  const cloud = generateKeyPairSync('ed25519');
  const phone = generateKeyPairSync('ed25519');
  const clock = new ManualClock(Date.UTC(2026, 10, 18, 6, 0));
  let h: Harness;
  let scanner: RawDevice;
  let scanner2: RawDevice;
  let vm: RawDevice;
  const wallet = () => h.gw.redemption.ledger.balance(account.wallet('m-1'), 'fen');
  const qr = (atMs: number) => {
    const { credential, cloudSig } = issueCredential(
      {
        kid: 'cloud-1',
        credentialId: CRED_ID,
        memberRef: 'm-1',
        exp: Math.floor(atMs / 1000) + 86_400,
        devicePublicKey: rawPublicKey(phone.publicKey),
      },
      cloud.privateKey,
    );
    return { type: 'qr' as const, code: makeQrCode(credential, cloudSig, phone.privateKey, atMs) };
  };

  beforeEach(async () => {
    h = await startGateway(
      {
        redemption: {
          secureCards: { sdmMetaReadKey: META.toString('hex'), fileReadMasterKey: MASTER.toString('hex') },
          qrTrustedKeys: [{ kid: 'cloud-1', publicKey: rawPublicKey(cloud.publicKey).toString('base64url') }],
        },
      } as never,
      { clock },
    );
    loadInto(
      h.gw.store,
      h.dataDir,
      FixtureSchema.parse({
        merchants: [{ id: 'cafe-01', name: 'Café' }],
        members: [
          {
            id: 'm-1',
            walletFen: 100_000,
            cards: [
              { type: 'sun', uid: UID.toString('hex') },
              { type: 'qr', credentialId: CRED_ID.toString('hex') },
            ],
          },
        ],
      }),
    );
    const provision = async (id: string, kind: 'shop_scanner' | 'vending_machine', merchantId?: string) =>
      new RawDevice(
        id,
        kind,
        (await h.gw.devices.provision({ id, kind, ...(merchantId ? { merchantId } : {}) })).secret,
      ).connect(h.mqttUrl);
    scanner = await provision('scanner-01', 'shop_scanner', 'cafe-01');
    scanner2 = await provision('scanner-02', 'shop_scanner', 'cafe-01');
    vm = await provision('vm-01', 'vending_machine');
    await scanner.birth({ merchantId: 'cafe-01' });
    await scanner2.birth({ merchantId: 'cafe-01' });
    await vm.birth({ slots: [{ slot: 'A1', productId: 'milk', priceFen: 450 }] });
    await waitFor(
      () => ['scanner-01', 'scanner-02', 'vm-01'].every((id) => h.gw.monitor.get(id)?.born === true),
      'births',
    );
  });
  afterEach(async () => {
    for (const d of [scanner, scanner2, vm]) d.client.end(true);
    await h.stop();
  });

  it(
    'a secure-card redeem resent after it was charged gets the first answer, ' + 'also after another tap elsewhere',
    async () => {
      const body = { op: 'redeem', credential: tap(5), amountFen: 2000 };
      const first = await ask(scanner, 'bill-1', body);
      expect(first).toMatchObject({ status: 'ok', decision: 'approved', state: 'captured', payableFen: 2000 });
      expect(await ask(scanner, 'bill-1', body)).toEqual(first);
      // the resident taps again at the other till (counter 6) before the first till's last retry
      expect(await ask(scanner2, 'bill-9', { op: 'redeem', credential: tap(6), amountFen: 100 })).toMatchObject({
        decision: 'approved',
      });
      expect(await ask(scanner, 'bill-1', body)).toEqual(first);
      expect(wallet()).toBe(100_000 - 2000 - 100);
      // the same tap for a new transaction is a replay (a copied SUN message)
      expect(await ask(scanner, 'bill-2', { ...body, amountFen: 1999 })).toMatchObject({
        status: 'error',
        code: 'CARD_REPLAYED',
      });
    },
  );

  it(
    'a member QR code resent after its time step passed gets the first answer; ' + 'its screenshot pays nothing new',
    async () => {
      const body = { op: 'redeem', credential: qr(clock.now()), amountFen: 1500 };
      const first = await ask(scanner, 'qr-1', body);
      expect(first).toMatchObject({ decision: 'approved', payableFen: 1500 });
      clock.advanceWall(5 * 60_000); // the code's time step is long past (timeouts untouched)
      expect(await ask(scanner, 'qr-1', body)).toEqual(first);
      expect(await ask(scanner, 'qr-2', body)).toMatchObject({ status: 'error', code: 'CARD_REPLAYED' });
      expect(wallet()).toBe(100_000 - 1500);
    },
  );

  it(
    'an authorize with a tap, resent before and after capture, ' + 'is answered as first decided and holds once',
    async () => {
      const body = { op: 'authorize', credential: tap(9), items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }] };
      const first = await ask(vm, 'v-1', body);
      expect(first).toMatchObject({ decision: 'approved', state: 'held', payableFen: 450 });
      expect(await ask(vm, 'v-1', body)).toEqual(first);
      expect(await ask(vm, 'v-1', { op: 'capture' })).toMatchObject({ decision: 'approved', state: 'captured' });
      // the same decision; its state says where the purchase is now (see FWP-4.3)
      expect(await ask(vm, 'v-1', body)).toEqual({ ...first, state: 'captured' });
      expect(wallet()).toBe(100_000 - 450);
    },
  );

  it(
    'a tap whose transaction was admitted but never decided ' +
      '(a crash between) is accepted for that transaction only',
    async () => {
      // the gateway bound tap 12 to vm-01's v-7 and died before deciding: the retry must not be a replay
      await h.gw.redemption.resolver.identify(tap(12), { txn: { deviceId: 'vm-01', txn: 'v-7' } });
      const body = { op: 'authorize', credential: tap(12), items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }] };
      expect(await ask(vm, 'v-7', body)).toMatchObject({ decision: 'approved', state: 'held' });
      expect(await ask(scanner, 'v-7', { op: 'redeem', credential: tap(12), amountFen: 100 })).toMatchObject({
        status: 'error',
        code: 'CARD_REPLAYED',
      });
    },
  );

  it('a lookup and a vend session begun with a tap are answered again on a resend', async () => {
    const look = await ask(scanner, 'look-1', { op: 'lookup', credential: tap(20) });
    expect(look).toMatchObject({ status: 'ok', decision: 'none', member: { walletFen: 100_000 } });
    expect(await ask(scanner, 'look-1', { op: 'lookup', credential: tap(20) })).toEqual(look);
    expect(await ask(scanner, 'look-2', { op: 'lookup', credential: tap(20) })).toMatchObject({
      code: 'CARD_REPLAYED',
    });
    const begun = await ask(vm, 's-1', { op: 'vend_begin', credential: tap(21) });
    expect(begun).toMatchObject({ decision: 'approved', fundsFen: 100_000 });
    expect(await ask(vm, 's-1', { op: 'vend_begin', credential: tap(21) })).toEqual(begun);
  });

  it(
    'a vend session begun with a tap and resent after it ended is answered as first, ' + 'never reopened to pay again',
    async () => {
      const milk = { slot: 'A1', productId: 'milk', priceFen: 450 };
      const begun = await ask(vm, 's-1', { op: 'vend_begin', credential: tap(50) });
      expect(await ask(vm, 'v-1', { op: 'vend_request', session: 's-1', item: milk })).toMatchObject({
        decision: 'approved',
        state: 'held',
      });
      expect(await ask(vm, 'v-1', { op: 'vend_result', success: true })).toMatchObject({ state: 'captured' });
      await ask(vm, 's-1', { op: 'vend_end', reason: 'complete' });
      // the machine resends its begin (the answer was lost): the same answer, and no session to vend in
      expect(await ask(vm, 's-1', { op: 'vend_begin', credential: tap(50) })).toEqual(begun);
      expect(await ask(vm, 'v-2', { op: 'vend_request', session: 's-1', item: milk })).toMatchObject({
        status: 'error',
        code: 'REDEMPTION_STATE',
      });
      // item first: a resend after the vend was settled gets the vend's answer, not a new session
      const itemFirst = await ask(vm, 'v-3', { op: 'vend_request', credential: tap(51), item: milk });
      expect(itemFirst).toMatchObject({ decision: 'approved', state: 'held' });
      await ask(vm, 'v-3', { op: 'vend_result', success: true });
      expect(await ask(vm, 'v-3', { op: 'vend_request', credential: tap(51), item: milk })).toMatchObject({
        decision: 'approved',
        state: 'captured',
        redemptionId: itemFirst.status === 'ok' ? itemFirst.redemptionId : '',
      });
      // v-3's own session, waiting for vend_end: nothing reopened
      expect(vendingOf(h.gw).vending.session('vm-01').name).toBe('completing');
      expect(wallet()).toBe(100_000 - 450 - 450);
    },
  );

  it(
    'a resend is recognised before its credential is read again: ' +
      'an expired member code still gets its first answer',
    async () => {
      const body = { op: 'redeem', credential: qr(clock.now()), amountFen: 800 };
      const first = await ask(scanner, 'exp-1', body);
      expect(first).toMatchObject({ decision: 'approved' });
      clock.advanceWall(3 * 86_400_000); // the member code's credential itself has expired
      expect(await ask(scanner, 'exp-1', body)).toEqual(first);
      expect(await ask(scanner, 'exp-1', { ...body, amountFen: 801 })).toMatchObject({
        status: 'error',
        code: 'TXN_REUSED',
      });
      expect(await ask(scanner, 'exp-2', body)).toMatchObject({ status: 'error', code: 'CREDENTIAL_INVALID' });
    },
  );

  it('the answers resends need are kept a day, then pruned', async () => {
    await ask(scanner, 'keep-1', { op: 'lookup', credential: tap(60) });
    const rows = () => (h.gw.store.db.prepare('SELECT COUNT(*) AS n FROM request_answers').get() as { n: number }).n;
    const taps = () => (h.gw.store.db.prepare('SELECT COUNT(*) AS n FROM credential_uses').get() as { n: number }).n;
    expect(rows()).toBeGreaterThan(0);
    expect(taps()).toBeGreaterThan(0);
    clock.advance(25 * 3600_000); // the ticker prunes on this clock
    await h.gw.tick();
    expect(rows()).toBe(0);
    expect(taps()).toBe(0);
  });

  it(
    'a txn is unique per device: two tills numbering their bills alike both sell; ' +
      'one device cannot settle another’s',
    async () => {
      const a = await ask(scanner, 'T-0001', { op: 'redeem', credential: tap(30), amountFen: 700 });
      const b = await ask(scanner2, 'T-0001', { op: 'redeem', credential: tap(31), amountFen: 800 });
      expect(a).toMatchObject({ decision: 'approved', payableFen: 700 });
      expect(b).toMatchObject({ decision: 'approved', payableFen: 800 });
      expect(a.status === 'ok' && b.status === 'ok' && a.redemptionId !== b.redemptionId).toBe(true);
      await ask(vm, 'T-0001', {
        op: 'authorize',
        credential: tap(32),
        items: [{ productId: 'milk', unitPriceFen: 450, qty: 1 }],
      });
      expect(await ask(scanner, 'T-0001', { op: 'redeem', credential: tap(30), amountFen: 700 })).toEqual(a);
      expect(wallet()).toBe(100_000 - 700 - 800 - 450);
    },
  );

  it('a reversal resent with its txn gets its answer; another reversal of the same purchase is refused', async () => {
    const sale = await ask(scanner, 'sale-1', { op: 'redeem', credential: tap(40), amountFen: 5000 });
    if (sale.status !== 'ok' || !sale.redemptionId) throw new Error('no sale');
    const rev = await ask(scanner, 'rev-1', { op: 'reverse', redemptionId: sale.redemptionId });
    expect(rev).toMatchObject({ decision: 'approved', state: 'reversed' });
    expect(rev.display.zh).toContain('退款');
    expect(await ask(scanner, 'rev-1', { op: 'reverse', redemptionId: sale.redemptionId })).toEqual(rev);
    expect(await ask(scanner, 'rev-2', { op: 'reverse', redemptionId: sale.redemptionId })).toMatchObject({
      status: 'error',
      code: 'REDEMPTION_STATE',
      refusal: 'ALREADY_REVERSED',
    });
    expect(await ask(scanner, 'rev-1', { op: 'reverse', redemptionId: 'r-other' })).toMatchObject({
      status: 'error',
      code: 'TXN_REUSED',
    });
    const staff = await h.api(`/api/v1/redemptions/${sale.redemptionId}/reverse`, { method: 'POST' });
    expect(staff.status).toBe(409);
    expect(wallet()).toBe(100_000);
  });
});

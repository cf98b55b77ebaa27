import { describe, expect, it } from 'vitest';
import { createSecureVerifier } from '../../gateway/redemption/credentials/secure-verifier.ts';
import { billFor } from '../../devices/shop-scanner/sim-bill.ts';
import {
  demoResidents,
  generateDemoCardKeys,
  plainCard,
  redemptionSettingsFor,
  seededRng,
} from '../../sim/src/index.ts';

describe('the demo residents and what they spend', () => {
  it('without the community keys: plain cards only, as before', () => {
    const r = demoResidents();
    expect(r.members.length).toBeGreaterThan(90);
    expect(r.members.every(plainCard)).toBe(true);
  });

  it(
    'with the keys: ' + 'secure cards tap with a rising counter and member codes verify, as the gateway checks them',
    () => {
      const keys = generateDemoCardKeys();
      const verifier = createSecureVerifier({ ...redemptionSettingsFor(keys), qrStepS: 30 });
      if (!verifier) throw new Error('no verifier');
      const r = demoResidents({ keys, lastCounter: (type) => (type === 'sun' ? 41 : undefined) });
      expect(r.members.length).toBeGreaterThan(290);
      // the community's member 1 holds a secure card, member 2 the member code (every third: a plain card)
      const sun = r.members.find((m) => m.id === 'm-0001');
      const qr = r.members.find((m) => m.id === 'm-0002');
      if (!sun?.credential || !qr?.credential) throw new Error('no secure residents');
      const tap = sun.credential();
      if (tap.type !== 'sun') throw new Error('not a tap');
      // the next after where the card left off
      expect(verifier.verifySun(tap.picc, tap.cmac)).toMatchObject({
        ok: true,
        uid: sun.uid.toUpperCase(),
        counter: 42,
      });
      const again = sun.credential();
      expect(again.type === 'sun' && verifier.verifySun(again.picc, again.cmac)).toMatchObject({
        ok: true,
        counter: 43,
      });
      const a = qr.credential();
      const b = qr.credential();
      if (a.type !== 'qr' || b.type !== 'qr') throw new Error('not a code');
      const va = verifier.verifyQr(a.code, Date.now());
      const vb = verifier.verifyQr(b.code, Date.now());
      expect(va).toMatchObject({ ok: true, credentialId: qr.uid.toUpperCase() });
      // shown twice within one step: the second is the next step's code, so the gateway accepts both
      expect(vb.ok && va.ok && vb.step > va.step).toBe(true);
    },
  );

  it('bills meet the shops’ offers; a plain-card resident stays under the plain-card cap', () => {
    const rng = seededRng(3);
    const cafe = Array.from({ length: 200 }, () => billFor('cafe-01', rng, false).amountFen);
    expect(cafe.filter((f) => f >= 5000).length).toBeGreaterThan(50); // 满50减10 reachable
    expect(cafe.filter((f) => f < 5000).length).toBeGreaterThan(50); // and the threshold missed, with its reason
    const fresh = Array.from({ length: 200 }, () => billFor('fresh-01', rng, false));
    expect(fresh.some((b) => b.items?.some((i) => i.productId === 'milk-250ml' && i.qty === 2))).toBe(true);
    expect(fresh.filter((b) => b.amountFen >= 2000).length).toBe(200); // the weekly card's minimum spend
    expect(Array.from({ length: 200 }, () => billFor('cafe-01', rng, true).amountFen).every((f) => f <= 5000)).toBe(
      true,
    );
  });
});

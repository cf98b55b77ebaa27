import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { WireCredential } from '../../../firmware-protocol/src/messages/redemption.ts';
import type { GatewaySecrets } from '../../security/gateway-secrets.ts';
import type { CatalogRepo } from '../store/catalog-repo.ts';

export interface Identified {
  memberId: string;
  /** low: a clonable plain UID card, capped; high: a cryptographically verified card or code. */
  trust: 'low' | 'high';
  lookupKey: string;
  /** Set for a scanned coupon code: the one coupon presented; it pays for nothing else. */
  couponInstanceId?: string;
}

/** Verifies secure cards and codes (NTAG 424 DNA SUN, signed QR); returns the identifier to look up and a monotonic counter. */
export interface SecureCredentialVerifier {
  verifySun(picc: string, cmac: string): { ok: true; uid: string; counter: number } | { ok: false; code: string };
  verifyQr(code: string, nowMs: number): { ok: true; credentialId: string; step: number } | { ok: false; code: string };
}

/**
 * The identify and check-hotlist steps: card data → member. Identifiers are looked up only as keyed
 * hashes. For secure cards the tap counter (or QR time step) must increase strictly, and the new value
 * is stored before anything is approved, so a replayed tap or a screenshot is refused.
 */
export class CredentialResolver {
  constructor(
    private readonly catalog: CatalogRepo,
    private readonly secrets: GatewaySecrets,
    private readonly secure: SecureCredentialVerifier | undefined,
    private readonly now: () => number,
  ) {}

  /**
   * A coupon code identifies a member only to pay with that coupon at a shop: everywhere else (wallet,
   * doors, lockers, vending) it is refused, so a coupon's screenshot never spends anything but the coupon.
   */
  identify(c: WireCredential, opts: { allowCoupon?: boolean } = {}): Identified {
    if (c.type === 'uid') return this.lookup(this.keyFor('uid', c.uid), 'low', undefined);
    if (c.type === 'coupon') {
      if (!opts.allowCoupon) throw new LinliError('OPERATION_NOT_ALLOWED', 'a coupon code is only accepted by a shop scanner paying a bill; tap the member card or show the member code');
      const key = this.secrets.codeHash('coupon', c.code);
      const instanceId = this.catalog.couponInstance(key);
      const inst = instanceId ? this.catalog.instance(instanceId) : undefined;
      if (!inst) throw new LinliError('CREDENTIAL_INVALID', 'this coupon code is not known here');
      return { memberId: inst.memberId, trust: 'high', lookupKey: key, couponInstanceId: inst.id };
    }
    if (!this.secure) throw new LinliError('CREDENTIAL_INVALID', 'secure cards and codes are not configured on this gateway');
    if (c.type === 'sun') {
      const v = this.secure.verifySun(c.picc, c.cmac);
      if (!v.ok) throw new LinliError('CREDENTIAL_INVALID', `the card's SUN message does not verify (${v.code})`);
      return this.lookup(this.keyFor('sun', v.uid), 'high', v.counter);
    }
    const v = this.secure.verifyQr(c.code, this.now());
    if (!v.ok) throw new LinliError(v.code === 'QR_STALE' ? 'CARD_REPLAYED' : 'CREDENTIAL_INVALID', `the QR code does not verify (${v.code})`);
    return this.lookup(this.keyFor('qr', v.credentialId), 'high', v.step);
  }

  /**
   * The card's lookup key; a card stored under an earlier key (a release before fingerprints, or before
   * the platform's fingerprint key was set) is found by it and moved to the new one (with its status, so a
   * block holds), once.
   */
  keyFor(type: 'uid' | 'sun' | 'qr', id: string): string {
    const key = this.secrets.lookupKey(type, id);
    if (this.catalog.credential(key)) return key;
    for (const old of this.secrets.previousLookupKeys(type, id)) {
      if (!this.catalog.credential(old)) continue;
      this.catalog.rekeyCredential(old, key);
      break;
    }
    return key;
  }

  private lookup(lookupKey: string, trust: 'low' | 'high', counter: number | undefined): Identified {
    if (this.catalog.isHotlisted(lookupKey)) throw new LinliError('CARD_BLOCKED');
    const rec = this.catalog.credential(lookupKey);
    if (!rec) throw new LinliError('MEMBER_NOT_FOUND', 'this card or code is not registered');
    if (rec.status === 'blocked') throw new LinliError('CARD_BLOCKED');
    if (counter !== undefined && !this.catalog.advanceCounter(lookupKey, counter)) throw new LinliError('CARD_REPLAYED');
    return { memberId: rec.memberId, trust, lookupKey };
  }
}

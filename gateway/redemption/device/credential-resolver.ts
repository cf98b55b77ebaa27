import { LinliError } from '../../../firmware-protocol/src/errors.ts';
import type { WireCredential } from '../../../firmware-protocol/src/messages/credential.ts';
import type { GatewaySecrets } from '../../security/gateway-secrets.ts';
import type { WriterPort } from '../service/ports.ts';
import type { CatalogRepo, CredentialRecord } from '../store/catalog-repo.ts';

interface Identified {
  memberId: string;
  /** low: a clonable plain UID card, capped; high: a cryptographically verified card or code. */
  trust: 'low' | 'high';
  lookupKey: string;
  /** Set for a scanned coupon code: the one coupon presented; it pays for nothing else. */
  couponInstanceId?: string;
}

/**
 * A card or code whose cryptography verified and whose member is known, not yet admitted: the hotlist
 * and the tap counter are checked by `admit`, inside the writer unit of the operation it pays for.
 */
export interface Presented extends Identified {
  /** NTAG 424 tap counter or QR time step: each is accepted for one transaction only. */
  counter?: number;
  /** A QR code whose time step is past: accepted only as a retry of the transaction it was first shown for. */
  stale: boolean;
}

/** [FWP-4.3] The transaction a presentation belongs to: `txn` is unique per device. */
interface TxnRef {
  deviceId: string | undefined;
  txn: string;
}

const txnKey = (t: TxnRef | undefined) => (t ? `${t.deviceId ?? ''}|${t.txn}` : '');

/**
 * Verifies secure cards and codes (NTAG 424 DNA SUN, signed QR);
 * returns the identifier to look up and a monotonic counter.
 */
export interface SecureCredentialVerifier {
  verifySun(picc: string, cmac: string): { ok: true; uid: string; counter: number } | { ok: false; code: string };
  /** `stale`: the signatures verify but the time step is past (a screenshot, or a retry of an earlier request). */
  verifyQr(
    code: string,
    nowMs: number,
  ): { ok: true; credentialId: string; step: number; stale: boolean } | { ok: false; code: string };
}

/**
 * The identify and check-hotlist steps: card data → member. Identifiers are looked up only as keyed
 * hashes. For secure cards the tap counter (or QR time step) must increase strictly; the value is bound
 * to the transaction that presented it, durably and in the same commit as what it paid for, so a
 * replayed tap or a screenshot is refused while a retry of that very transaction (the answer was lost,
 * the gateway restarted) is recognised [FWP-4.3].
 */
export class CredentialResolver {
  constructor(
    private readonly catalog: CatalogRepo,
    private readonly secrets: GatewaySecrets,
    private readonly secure: SecureCredentialVerifier | undefined,
    private readonly now: () => number,
    private readonly writer: WriterPort,
  ) {}

  /** Present and admit in one writer unit: for operations that write nothing else with it. */
  async identify(c: WireCredential, opts: { allowCoupon?: boolean; txn?: TxnRef } = {}): Promise<Identified> {
    const p = this.present(c, opts);
    await this.writer.submit(() => this.admit(p, opts.txn));
    return {
      memberId: p.memberId,
      trust: p.trust,
      lookupKey: p.lookupKey,
      ...(p.couponInstanceId ? { couponInstanceId: p.couponInstanceId } : {}),
    };
  }

  /**
   * Verifies the card or code and finds its member; changes nothing (but moving a card to its current
   * lookup key). A coupon code identifies a member only to pay with that coupon at a shop: everywhere
   * else (wallet, doors, lockers, vending) it is refused, so a coupon's screenshot never spends anything
   * but the coupon.
   */
  present(c: WireCredential, opts: { allowCoupon?: boolean } = {}): Presented {
    if (c.type === 'uid') return this.find(this.located('uid', c.uid), 'low', undefined, false);
    if (c.type === 'coupon') {
      if (!opts.allowCoupon)
        throw new LinliError(
          'OPERATION_NOT_ALLOWED',
          'a coupon code is only accepted by a shop scanner paying a bill; tap the member card or show the member code',
        );
      const key = this.secrets.codeHash('coupon', c.code);
      const instanceId = this.catalog.couponInstance(key);
      const inst = instanceId ? this.catalog.instance(instanceId) : undefined;
      if (!inst) throw new LinliError('CREDENTIAL_INVALID', 'this coupon code is not known here');
      return { memberId: inst.memberId, trust: 'high', lookupKey: key, couponInstanceId: inst.id, stale: false };
    }
    if (!this.secure)
      throw new LinliError('CREDENTIAL_INVALID', 'secure cards and codes are not configured on this gateway');
    if (c.type === 'sun') {
      const v = this.secure.verifySun(c.picc, c.cmac);
      if (!v.ok) throw new LinliError('CREDENTIAL_INVALID', `the card's SUN message does not verify (${v.code})`);
      return this.find(this.located('sun', v.uid), 'high', v.counter, false);
    }
    const v = this.secure.verifyQr(c.code, this.now());
    if (!v.ok) throw new LinliError('CREDENTIAL_INVALID', `the QR code does not verify (${v.code})`);
    return this.find(this.located('qr', v.credentialId), 'high', v.step, v.stale);
  }

  /**
   * Inside a writer unit: the hotlist and block checks, then the presentation is bound to `txn`. The
   * same tap or QR step presented again for the same transaction passes; for any other it is a replay.
   */
  admit(p: Presented, txn: TxnRef | undefined): void {
    if (this.catalog.isHotlisted(p.lookupKey)) throw new LinliError('CARD_BLOCKED');
    if (p.couponInstanceId !== undefined) return;
    const rec = this.catalog.credential(p.lookupKey);
    if (!rec) throw new LinliError('MEMBER_NOT_FOUND', 'this card or code is not registered');
    if (rec.status === 'blocked') throw new LinliError('CARD_BLOCKED');
    if (p.counter === undefined) return;
    const key = txnKey(txn);
    const first = this.catalog.credentialUse(p.lookupKey, p.counter);
    if (first !== undefined) {
      // a staff look-up ('' key) is never a retry of anything
      if (key !== '' && first === key) return;
      throw new LinliError('CARD_REPLAYED');
    }
    if (p.stale || !this.catalog.advanceCounter(p.lookupKey, p.counter)) throw new LinliError('CARD_REPLAYED');
    this.catalog.recordCredentialUse(p.lookupKey, p.counter, key, this.now());
  }

  /**
   * The card's lookup key; a card stored under an earlier key (a release before fingerprints, or before
   * the platform's fingerprint key was set) is found by it and moved to the new one (with its status, so a
   * block holds), once.
   */
  keyFor(type: 'uid' | 'sun' | 'qr', id: string): string {
    return this.located(type, id).key;
  }

  /** The card's lookup key and its record there (read once: a tap's hot path reads it here and in admit alone). */
  private located(type: 'uid' | 'sun' | 'qr', id: string): { key: string; rec: CredentialRecord | undefined } {
    const key = this.secrets.lookupKey(type, id);
    const rec = this.catalog.credential(key);
    if (rec) return { key, rec };
    for (const old of this.secrets.previousLookupKeys(type, id)) {
      if (!this.catalog.credential(old)) continue;
      const rekey = () => this.catalog.rekeyCredential(old, key);
      if (this.writer.runNow) this.writer.runNow(rekey);
      else rekey();
      return { key, rec: this.catalog.credential(key) };
    }
    return { key, rec: undefined };
  }

  private find(
    { key: lookupKey, rec }: { key: string; rec: CredentialRecord | undefined },
    trust: 'low' | 'high',
    counter: number | undefined,
    stale: boolean,
  ): Presented {
    // a hotlisted card this gateway does not know is still refused as blocked, not as unknown
    if (!rec)
      throw this.catalog.isHotlisted(lookupKey)
        ? new LinliError('CARD_BLOCKED')
        : new LinliError('MEMBER_NOT_FOUND', 'this card or code is not registered');
    return { memberId: rec.memberId, trust, lookupKey, stale, ...(counter !== undefined ? { counter } : {}) };
  }
}

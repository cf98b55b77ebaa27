import type { LedgerMovement, LedgerPort } from './service/ports.ts';
import { account } from './service/ports.ts';
import type { OpeningBalances } from './load-fixture.ts';

/** Opening balances as ledger movements from the issuer accounts, so balances stay what the ledger sums to. */
export class LedgerOpeningBalances implements OpeningBalances {
  /** Movements held back by `batch`, posted as one append when it ends. */
  private held: LedgerMovement[] | undefined;

  constructor(private readonly ledger: LedgerPort) {}

  /**
   * Posts every opening set inside `fn` as one ledger append: a member's wallet, points and a dozen
   * benefits' uses read the chain's tip once, not a dozen times (what makes a big catalogue load fast).
   * Each account may be set once per batch: its current balance is read before anything is posted.
   */
  batch<T>(fn: () => T): T {
    this.held = [];
    try {
      const result = fn();
      this.ledger.append(issuerSidesMerged(this.held));
      return result;
    } finally {
      this.held = undefined;
    }
  }

  private post(movements: LedgerMovement[]): void {
    if (this.held) this.held.push(...movements);
    else this.ledger.append(movements);
  }

  setOpening(memberId: string, walletFen: number, points: number, txnId: string, now: number): void {
    const fen = walletFen - this.ledger.balance(account.wallet(memberId), 'fen');
    const pts = points - this.ledger.balance(account.points(memberId), 'points');
    const base = { at: now, txnId, redemptionId: '-' };
    this.post([
      ...(fen !== 0
        ? [
            { ...base, account: account.issuerFen, asset: 'fen' as const, delta: -fen, reason: 'topup' as const },
            { ...base, account: account.wallet(memberId), asset: 'fen' as const, delta: fen, reason: 'topup' as const },
          ]
        : []),
      ...(pts !== 0
        ? [
            { ...base, account: account.issuerPoints, asset: 'points' as const, delta: -pts, reason: 'topup' as const },
            {
              ...base,
              account: account.points(memberId),
              asset: 'points' as const,
              delta: pts,
              reason: 'topup' as const,
            },
          ]
        : []),
    ]);
  }

  setUses(instanceId: string, usesLeft: number, txnId: string, now: number): void {
    const d = usesLeft - this.ledger.balance(account.uses(instanceId), 'uses');
    if (d === 0) return;
    const base = { at: now, txnId, redemptionId: '-' };
    this.post([
      { ...base, account: account.issuerUses, asset: 'uses', delta: -d, reason: 'adjustment' },
      { ...base, account: account.uses(instanceId), asset: 'uses', delta: d, reason: 'adjustment' },
    ]);
  }
}

const ISSUER = /^issuer:/;

/**
 * The issuer's side of a batch's movements, one entry per issuer account, asset and reason (where the
 * first of them was): a member's dozen benefits loaded is a dozen entries on the benefits' accounts and
 * one on the issuer's, half the ledger rows of a big catalogue. Every account still moves by exactly what
 * it did; only the issuer's account history shows the batch's sum instead of its parts.
 */
function issuerSidesMerged(movements: LedgerMovement[]): LedgerMovement[] {
  const merged: LedgerMovement[] = [];
  const issuerAt = new Map<string, number>();
  for (const m of movements) {
    if (!ISSUER.test(m.account)) {
      merged.push(m);
      continue;
    }
    const key = `${m.account}\u0000${m.asset}\u0000${m.reason}\u0000${m.txnId}`;
    const at = issuerAt.get(key);
    const first = at === undefined ? undefined : merged[at];
    if (first) first.delta += m.delta;
    else {
      issuerAt.set(key, merged.length);
      merged.push({ ...m });
    }
  }
  // movements that cancel out (uses taken off one benefit, given to another) leave nothing to post
  return merged.filter((m) => m.delta !== 0);
}

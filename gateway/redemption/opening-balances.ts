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
      this.ledger.append(this.held);
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

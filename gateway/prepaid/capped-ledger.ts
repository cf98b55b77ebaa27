import type { Db } from '../store/db-type.ts';
import { SqliteLedger } from '../redemption/ledger/sqlite-ledger.ts';
import type { LedgerMovement } from '../redemption/service/ports.ts';
import { type CardCaps, capError } from './card-caps.ts';

const WALLET = /^wallet:(.+)$/;

/**
 * The ledger with the stored-value caps enforced where money lands: every top-up (a `topup` movement into a
 * wallet, whatever path posts it: a cloud grant, an online top-up, an opening balance, one added later) is
 * checked in the same append, so in the same transaction as the credit; one over its cap aborts the whole
 * unit of work with PREPAID_CAP_EXCEEDED. Paths that answer a refusal (a grant) check first with CardCaps.
 * Reversals and voids are not top-ups: they give back the resident's own money, whatever the cap.
 */
export class CappedLedger extends SqliteLedger {
  constructor(
    db: Db,
    private readonly caps: CardCaps,
  ) {
    super(db);
  }

  override append(entries: LedgerMovement[]): void {
    const credits = new Map<string, number>();
    for (const e of entries) {
      if (e.reason !== 'topup' || e.asset !== 'fen') continue;
      const member = WALLET.exec(e.account)?.[1];
      if (member !== undefined) credits.set(member, (credits.get(member) ?? 0) + e.delta);
    }
    for (const [member, amount] of credits) {
      const refused = this.caps.check(member, amount, this.balance(`wallet:${member}`, 'fen'));
      if (refused) throw capError(refused);
    }
    super.append(entries);
  }
}

import type { OutboxPort } from '../cloud/outbox-port.ts';
import { account, type LedgerPort } from '../redemption/service/ports.ts';
import type { Db } from '../store/db-type.ts';
import type { CapRefusal, CardCaps } from './card-caps.ts';

/** A top-up the cloud paid for: an allowance grant [CLP-5.7] or an online top-up's grant [CLP-6.2]. */
export interface CloudTopUp {
  /** The grant's id: a refusal is kept by it, so a redelivery is refused again, never credited. */
  sourceId: string;
  source: 'grant' | 'online';
  memberId: string;
  amountFen: number;
}

/**
 * The caps at the cloud's top-ups, before anything is credited: one that would pass its member's cap is
 * refused whole, kept, and reported once (`prepaid.topup_refused` [CLP-4.14]) in the same transaction, so
 * the cloud refunds whoever paid. Runs inside the writer's unit of work, like the credit it replaces.
 */
export class TopUpGuard {
  private readonly s;
  constructor(
    db: Db,
    private readonly caps: CardCaps,
    private readonly ledger: Pick<LedgerPort, 'balance'>,
    private readonly outbox: OutboxPort | undefined,
  ) {
    this.s = {
      add: db.prepare(
        `INSERT OR IGNORE INTO prepaid_refusals
           (source_id, source, member_id, amount_fen, balance_fen, cap_fen, card_type, at)
         VALUES (@sourceId, @source, @memberId, @amountFen, @balanceFen, @capFen, @cardType, @at)`,
      ),
      has: db.prepare<[string], { n: number }>('SELECT 1 AS n FROM prepaid_refusals WHERE source_id = ?'),
    };
  }

  /** The refusal when `t` would pass the cap (recorded and reported the first time), or undefined to credit it. */
  screen(t: CloudTopUp, now: number): CapRefusal | undefined {
    const r = this.caps.check(t.memberId, t.amountFen, this.ledger.balance(account.wallet(t.memberId), 'fen'));
    if (!r) return undefined;
    const added = this.s.add.run({ ...r, sourceId: t.sourceId, source: t.source, at: now }).changes > 0;
    if (added)
      this.outbox?.append('money', 'prepaid.topup_refused', {
        grantId: t.sourceId,
        source: t.source,
        memberId: r.memberId,
        amountFen: r.amountFen,
        balanceFen: r.balanceFen,
        capFen: r.capFen,
        cardType: r.cardType,
        reason: r.reason,
        at: now,
      });
    return r;
  }

  wasRefused(sourceId: string): boolean {
    return this.s.has.get(sourceId) !== undefined;
  }
}

import { randomBytes } from 'node:crypto';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';
import { account, type LedgerPort, type WriterPort } from '../redemption/service/ports.ts';
import type { Db } from '../store/db-type.ts';

export interface RefundRequest {
  memberId: string;
  /** The caller's key: the same key again returns the first result, whatever happened since. */
  idempotencyKey: string;
  /** Fen to refund; absent = the whole balance. */
  amountFen?: number | undefined;
  requestedBy: string;
  note?: string | undefined;
}

export interface RefundResult {
  refundId: string;
  memberId: string;
  amountFen: number;
  balanceAfterFen: number;
  at: number;
  /** False when this answers a retry: the money moved the first time only. */
  created: boolean;
}

interface Row {
  refund_id: string;
  member_id: string;
  amount_fen: number;
  balance_after: number;
  at: number;
}

/**
 * A member's stored value refunded on request (《单用途商业预付卡管理办法》: the balance is the resident's):
 * moved from the wallet to `refund:stored-value` exactly once per idempotency key, with the cloud told
 * (`prepaid.refunded` [CLP-4.15]) in the same transaction, so it pays the resident back. Runs in the single
 * writer: two requests at once are serialised, and the second of two for the whole balance finds none left.
 */
export class PrepaidRefunds {
  private readonly s;
  constructor(
    db: Db,
    private readonly d: {
      ledger: LedgerPort;
      writer: WriterPort;
      outbox: OutboxPort | undefined;
      now(): number;
      /** Whether the member exists (an unknown one is MEMBER_NOT_FOUND, never a refund of nothing). */
      memberExists(memberId: string): boolean;
    },
  ) {
    this.s = {
      byKey: db.prepare<[string], Row>('SELECT * FROM prepaid_refunds WHERE idempotency_key = ?'),
      add: db.prepare(
        `INSERT INTO prepaid_refunds
           (idempotency_key, refund_id, member_id, amount_fen, balance_after, requested_by, note, at)
         VALUES (@key, @refundId, @memberId, @amountFen, @balanceAfter, @by, @note, @at)`,
      ),
    };
  }

  refund(req: RefundRequest): Promise<RefundResult> {
    return this.d.writer.submit(() => this.refundNow(req));
  }

  private refundNow(req: RefundRequest): RefundResult {
    const first = this.s.byKey.get(req.idempotencyKey);
    if (first) {
      if (first.member_id !== req.memberId || (req.amountFen !== undefined && req.amountFen !== first.amount_fen))
        throw new LinliError(
          'IDEMPOTENCY_KEY_REUSED',
          `idempotency key ${req.idempotencyKey} was used for a refund of ${first.amount_fen} fen to ` +
            `${first.member_id}; use a new key for another refund`,
        );
      return {
        refundId: first.refund_id,
        memberId: first.member_id,
        amountFen: first.amount_fen,
        balanceAfterFen: first.balance_after,
        at: first.at,
        created: false,
      };
    }
    if (!this.d.memberExists(req.memberId)) throw new LinliError('MEMBER_NOT_FOUND');
    const wallet = account.wallet(req.memberId);
    const balance = this.d.ledger.balance(wallet, 'fen');
    const amountFen = req.amountFen ?? balance;
    if (amountFen <= 0 || balance <= 0)
      throw new LinliError('PREPAID_NOTHING_TO_REFUND', `member ${req.memberId} holds no stored value to refund`);
    if (amountFen > balance)
      throw new LinliError(
        'PREPAID_REFUND_TOO_LARGE',
        `a refund of ${amountFen} fen asked for; member ${req.memberId} holds ${balance} fen`,
      );
    const at = this.d.now();
    const refundId = `rf-${randomBytes(8).toString('hex')}`;
    const base = {
      at,
      txnId: refundId,
      redemptionId: `refund:${refundId}`,
      asset: 'fen' as const,
      reason: 'refund' as const,
    };
    this.d.ledger.append([
      { ...base, account: wallet, delta: -amountFen },
      { ...base, account: account.refundFen, delta: amountFen },
    ]);
    const balanceAfter = balance - amountFen;
    this.s.add.run({
      key: req.idempotencyKey,
      refundId,
      memberId: req.memberId,
      amountFen,
      balanceAfter,
      by: req.requestedBy,
      note: req.note ?? null,
      at,
    });
    this.d.outbox?.append('money', 'prepaid.refunded', {
      refundId,
      memberId: req.memberId,
      amountFen,
      balanceAfterFen: balanceAfter,
      at,
    });
    return { refundId, memberId: req.memberId, amountFen, balanceAfterFen: balanceAfter, at, created: true };
  }
}

import * as z from 'zod';
import { CountSchema, EpochMsSchema, FenSchema, IdSchema } from './common.ts';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in lowercase hex');
const CardType = z.enum(['registered', 'anonymous']);

/**
 * [CLP-4.14] `prepaid.topup_refused`: a grant (an allowance [CLP-5.7] or an online top-up [CLP-6.2]) the
 * gateway did not credit, whole, because the member's wallet would pass its card type's cap. Sent once per
 * grant; the grant stays refused here whatever redeliveries follow, so the cloud refunds the payer.
 */
export const TopUpRefusedSchema = z
  .object({
    grantId: IdSchema,
    source: z.enum(['grant', 'online']),
    memberId: IdSchema,
    amountFen: FenSchema,
    /** The wallet before, and the cap it would have passed. */
    balanceFen: FenSchema,
    capFen: FenSchema,
    cardType: CardType,
    reason: z.literal('PREPAID_CAP_EXCEEDED'),
    at: EpochMsSchema,
  })
  .strict();

/**
 * [CLP-4.15] `prepaid.refunded`: stored value refunded on staff request, moved off the member's wallet to
 * the gateway's refund account exactly once; the cloud pays the resident `amountFen`.
 */
export const PrepaidRefundedSchema = z
  .object({
    refundId: IdSchema,
    memberId: IdSchema,
    amountFen: FenSchema.min(1),
    balanceAfterFen: FenSchema,
    at: EpochMsSchema,
  })
  .strict();

/**
 * [CLP-4.16] `prepaid.daily_closed`: a merchant's 日结 for a local day [from, to): sales captured, their
 * gross and benefits, stored value captured, reversals and the stored value they refunded, and the net
 * change of what the box owes the merchant (negative on a day of more refunds than sales). `hash` chains
 * the closes (`prevHash`) and pins the ledger's tip (`ledgerSeq`, `ledgerHash`) at the close.
 */
export const DailyClosedSchema = z
  .object({
    seq: z.number().int().positive(),
    merchantId: IdSchema,
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    fromMs: EpochMsSchema,
    toMs: EpochMsSchema,
    sales: CountSchema,
    grossFen: FenSchema,
    benefitsFen: FenSchema,
    storedValueFen: FenSchema,
    reversals: CountSchema,
    refundsFen: FenSchema,
    netFen: z.number().int(),
    closedAt: EpochMsSchema,
    ledgerSeq: z.number().int().nonnegative(),
    ledgerHash: Sha256Hex,
    prevHash: Sha256Hex,
    hash: Sha256Hex,
  })
  .strict();

import * as z from 'zod';
import { RedemptionResultSchema } from '../../redemption/service/result.ts';
import { EpochMsSchema, FenSchema, IdSchema, TxnIdSchema } from './common.ts';
import { GrantSchema } from './envelopes.ts';

const R = RedemptionResultSchema.shape;
const Points = z.number().int().nonnegative();

/**
 * [CLP-4.2] What the cloud learns of a redemption: ids, amounts and the benefits applied; never card data.
 * One shape for every step of a redemption's life; `state` is where it is after this step.
 */
const redemptionEvent = <S extends z.infer<typeof R.state>>(state: S, declined: boolean) =>
  z
    .object({
      redemptionId: IdSchema,
      txnId: TxnIdSchema,
      memberId: IdSchema,
      merchantId: IdSchema,
      /** The device that asked; null for the staff API. */
      deviceId: IdSchema.nullable(),
      state: z.literal(state),
      ...(declined ? { declineCode: R.declineCode.unwrap() } : {}),
      subtotalFen: FenSchema,
      savingFen: FenSchema,
      payableFen: FenSchema,
      /** Whose wallet pays: the member's own, a family payer's (proxy), or none (nothing to pay, or declined). */
      paidBy: R.paidBy,
      pointsCost: Points,
      pointsEarned: Points,
      applied: z
        .array(
          z
            // a benefit a bundle granted has a derived id, longer than a catalog id
            .object({ campaignId: IdSchema, instanceId: z.string().min(1).max(200).optional(), savingFen: FenSchema })
            .strict(),
        )
        .max(100),
      at: EpochMsSchema,
    })
    .strict();

/** `redemption.held`: authorised, funds and uses held until a capture or a void (vending machines, lockers). */
export const RedemptionHeldSchema = redemptionEvent('held', false);
/** `redemption.captured`: the purchase happened (redeemed in one step, or a hold captured). */
export const RedemptionCapturedSchema = redemptionEvent('captured', false);
/** `redemption.declined`: refused with a decline code; nothing moved. */
export const RedemptionDeclinedSchema = redemptionEvent('declined', true);
/** `redemption.voided`: a hold released (the vend failed); everything held went back. */
export const RedemptionVoidedSchema = redemptionEvent('voided', false);
/** `redemption.expired`: a hold nobody captured in time, voided by the gateway; `state` is `voided`. */
export const RedemptionExpiredSchema = redemptionEvent('voided', false);
/** `redemption.reversed`: a captured purchase refunded (money, points and uses back). */
export const RedemptionReversedSchema = redemptionEvent('reversed', false);

/** [CLP-4.3] `points.awarded`: community-activity points credited once per `txnId`. */
export const PointsAwardedSchema = z
  .object({
    memberId: IdSchema,
    points: z.number().int().positive(),
    txnId: TxnIdSchema,
    reason: z.enum(['activity', 'property-fee']),
    at: EpochMsSchema,
  })
  .strict();

/** [CLP-4.4] `allowance.credited`: a grant (from the allowances document or an online authorisation) credited here. */
export const AllowanceCreditedSchema = GrantSchema.extend({ at: EpochMsSchema }).strict();

/** [CLP-4.4] `allowance.released`: what was unspent of a member's allowance went back to the cloud (0 when nothing). */
export const AllowanceReleasedSchema = z
  .object({ releaseId: IdSchema, memberId: IdSchema, amountFen: FenSchema, at: EpochMsSchema })
  .strict();

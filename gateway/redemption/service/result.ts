import * as z from 'zod';

export const DECLINE_CODES = [
  'INSUFFICIENT_FUNDS',
  'NOTHING_TO_PAY_FOR',
  'LOW_TRUST_LIMIT',
  'POINTS_ALREADY_SPENT',
  'COUPON_NOT_APPLICABLE',
] as const;

/** What a device, the API and a retry get back for one transaction. Stored, so a retry returns it unchanged. */
export const RedemptionResultSchema = z.object({
  redemptionId: z.string(),
  txnId: z.string(),
  status: z.enum(['approved', 'declined']),
  state: z.enum(['declined', 'held', 'captured', 'voided', 'reversed']),
  declineCode: z.enum(DECLINE_CODES).optional(),
  subtotalFen: z.number().int(),
  savingFen: z.number().int(),
  payableFen: z.number().int(),
  paidBy: z.enum(['own', 'proxy', 'none']),
  pointsCost: z.number().int(),
  pointsEarned: z.number().int(),
  applied: z.array(
    z.object({
      campaignId: z.string(),
      instanceId: z.string().optional(),
      name: z.object({ zh: z.string(), en: z.string() }),
      savingFen: z.number().int(),
    }),
  ),
  notApplied: z.array(
    z.object({
      campaignId: z.string(),
      /** Set when the member holds it (a coupon, a period card): it comes first on a device's screen. */
      instanceId: z.string().optional(),
      /** Absent in results stored before names were kept. */
      name: z.object({ zh: z.string(), en: z.string() }).optional(),
      code: z.string(),
      message: z.object({ zh: z.string(), en: z.string() }),
    }),
  ),
  holdExpiresAt: z.number().int().optional(),
});
export type RedemptionResult = z.infer<typeof RedemptionResultSchema>;

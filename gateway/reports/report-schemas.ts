import * as z from 'zod';

/**
 * What the reports count: captured redemptions only (state = 'captured' now). A held purchase has moved no
 * money yet; declined never did; voided and reversed ones were given back, so they leave every figure the
 * moment their state changes (a reversal made today takes a sale out of last month's report too).
 * Times are Shanghai local (UTC+8, no daylight saving); money is integer fen.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
/** Repurchase window: a second purchase at most this long after the member's first of the period. */
export const REPURCHASE_WINDOW_MS = 30 * DAY_MS;

const fen = z.number().int();
const count = z.number().int().nonnegative();

/** [from, to) in wall ms, and whose redemptions: the community (neither), one shop, one device, or both. */
export interface ReportParams {
  from: number;
  to: number;
  merchantId?: string | undefined;
  deviceId?: string | undefined;
}
export type ReportScope = Omit<ReportParams, 'from' | 'to'>;

/** One cell of the heat map: ISO day of week (1 = Monday .. 7 = Sunday) and hour 0-23, Shanghai time. */
export const HeatCellSchema = z.object({
  dayOfWeek: z.number().int().min(1).max(7),
  hour: z.number().int().min(0).max(23),
  redemptions: count,
  payableFen: fen,
  savingFen: fen,
});
export type HeatCell = z.infer<typeof HeatCellSchema>;

export const MerchantRowSchema = z.object({
  merchantId: z.string(),
  redemptions: count,
  payableFen: fen,
  savingFen: fen,
});
export type MerchantRow = z.infer<typeof MerchantRowSchema>;

/** A campaign's uses; payableFen is what its redemptions paid, so a purchase with two benefits counts in both. */
export const BenefitRowSchema = z.object({
  campaignId: z.string(),
  uses: count,
  payableFen: fen,
  savingFen: fen,
});
export type BenefitRow = z.infer<typeof BenefitRowSchema>;

export const DailyRowSchema = z.object({
  date: z.string().describe('Shanghai calendar day, YYYY-MM-DD'),
  redemptions: count,
  payableFen: fen,
  savingFen: fen,
});
export type DailyRow = z.infer<typeof DailyRowSchema>;

export const SummarySchema = z.object({
  redemptions: count,
  payableFen: fen,
  savingFen: fen,
  /** Payable per captured redemption, rounded to the fen; null without redemptions. */
  averageOrderFen: fen.nullable(),
  /** The same with the discount added back: the list price of an average order. */
  averageListFen: fen.nullable(),
  /** Members with a captured purchase in the period (in scope). */
  members: count,
  /** Of those, members with another captured purchase within 30 days of their first one in the period. */
  repeatMembers: count,
  /** repeatMembers / members, 0..1; null without members. */
  repurchaseRate: z.number().min(0).max(1).nullable(),
});
export type Summary = z.infer<typeof SummarySchema>;

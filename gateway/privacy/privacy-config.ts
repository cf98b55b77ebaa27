import * as z from 'zod';

/**
 * Config section `privacy`: how long personal detail stays on the box (PIPL art. 19: no longer than the
 * purpose needs). Access log rows: 180 days answers "who opened this door" for the disputes and incidents a
 * property office sees (commonly kept half a year), then only counts per door and day remain. Per-member
 * redemption detail: 365 days covers a year's statements, refunds and complaints; the money itself stays in
 * the ledger for the accounts (会计档案: kept for years), under a pseudonym. The cloud keeps its own records.
 */
export const PrivacyConfigSchema = z
  .object({
    /** Days an access decision keeps who and how; then counted per door and day, and the row deleted. */
    accessLogDays: z.number().int().min(7).max(3650).default(180),
    /** Days a redemption (and its ledger entries) keeps the member's id; then a pseudonym replaces it. */
    redemptionDetailDays: z.number().int().min(30).max(3650).default(365),
    /** How often the retention sweep looks for rows past their period. */
    sweepEveryMinutes: z.number().int().min(1).max(1440).default(60),
    /** Rows per write unit: each is its own short transaction, so devices' writes go between them. */
    batchRows: z.number().int().min(10).max(5000).default(500),
  })
  .strict();
export type PrivacyConfig = z.infer<typeof PrivacyConfigSchema>;

import * as z from 'zod';
import { IdSchema } from './common.ts';

// The sections of the cloud's documents that device kinds apply: a leaf, so a kind module can name
// their types without importing the whole contract (which lists the kinds).

/** [CLP-5.10] Group-buy orders (社区团购) the residents placed in the cloud app. */
export const GroupBuysDocSchema = z
  .object({
    orders: z
      .array(
        z
          .object({
            id: IdSchema,
            title: z.string().min(1).max(100),
            targetQty: z.number().int().min(1).max(100_000),
            closesAt: z.number().int().optional(),
            buyers: z
              .array(z.object({ memberId: IdSchema, qty: z.number().int().min(1).max(1000) }).strict())
              .max(10_000),
          })
          .strict(),
      )
      .max(10_000)
      .default([]),
  })
  .strict();

/** [CLP-5.11] Visitor codes residents issued in the cloud app; stored here only as keyed hashes. */
export const VisitorsDocSchema = z
  .object({
    codes: z
      .array(
        z
          .object({
            code: z.string().regex(/^\d{6,8}$/),
            zone: z.string().min(1).max(64),
            hostMemberId: IdSchema.optional(),
            validFrom: z.number().int().nonnegative(),
            expiresAt: z.number().int().positive(),
            uses: z.number().int().min(1).max(100).optional(),
          })
          .strict(),
      )
      .max(10_000)
      .default([]),
  })
  .strict();

/** What a kind's handler of a document section receives, validated. */
export interface CloudDocBodies {
  groupbuys: z.output<typeof GroupBuysDocSchema>;
  visitors: z.output<typeof VisitorsDocSchema>;
}

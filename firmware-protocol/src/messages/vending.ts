import { z } from 'zod';
import { TransactionIdSchema } from '../envelope.ts';
import { WireCredentialSchema } from './credential.ts';

const Fen = z.number().int().nonnegative().max(100_000_000);

/** [FWP-11.4] The vending session, modelled on the MDB cashless-device session. */
const VendItemSchema = z
  .object({
    slot: z.string().min(1).max(8),
    productId: z.string().min(1).max(64),
    priceFen: Fen,
  })
  .strict();

export const VendOpSchemas = [
  /** A card was tapped: open a session; the answer carries the funds available. `txn` = the session. */
  z.object({ op: z.literal('vend_begin'), credential: WireCredentialSchema }).strict(),
  /**
   * The resident chose an item: hold its price (less benefits). `txn` = this vend. In a session `session`
   * is the vend_begin's txn; in selection-first mode there is no session yet and `credential` comes instead.
   */
  z
    .object({
      op: z.literal('vend_request'),
      session: TransactionIdSchema.optional(),
      credential: WireCredentialSchema.optional(),
      item: VendItemSchema,
    })
    .strict()
    .refine((b) => (b.session === undefined) !== (b.credential === undefined), {
      message: 'give exactly one of session (card tapped first) or credential (item chosen first)',
    }),
  /** The machine reports whether the item came out: success captures, failure refunds. `txn` = the vend. */
  z
    .object({ op: z.literal('vend_result'), success: z.boolean(), reason: z.string().min(1).max(48).optional() })
    .strict(),
  /** The session ends: `complete` after the resident is done, `cancel` when they walk away. `txn` = the session. */
  z.object({ op: z.literal('vend_end'), reason: z.enum(['complete', 'cancel']) }).strict(),
] as const;

export type VendItem = z.infer<typeof VendItemSchema>;

import { z } from 'zod';
import { CompartmentSizeSchema } from '../kinds/parcel-locker.ts';
import { WireCredentialSchema } from './credential.ts';

/** [FWP-11.5] Parcel locker: courier deposit and resident pickup. */
const RecipientSchema = z.discriminatedUnion('type', [
  /** A parcel for one member (the courier app resolved the recipient). */
  z.object({ type: z.literal('member'), memberId: z.string().min(1).max(64) }).strict(),
  /** Goods of a group-buy order (社区团购): the gateway assigns them to the next buyer not yet served. */
  z.object({ type: z.literal('group_buy'), orderId: z.string().min(1).max(64) }).strict(),
]);

export const LockerOpSchemas = [
  /** A courier deposits a parcel: the gateway assigns a free compartment of a fitting size. `txn` = the deposit. */
  z
    .object({
      op: z.literal('deposit'),
      size: CompartmentSizeSchema,
      tracking: z.string().min(1).max(64),
      recipient: RecipientSchema,
    })
    .strict(),
  /** A resident taps a card: every compartment holding their parcels at this locker opens. */
  z.object({ op: z.literal('pickup'), credential: WireCredentialSchema }).strict(),
  /** A resident enters or scans a pickup code. */
  z.object({ op: z.literal('pickup_code'), code: z.string().regex(/^\d{6,8}$/, 'expected a 6–8 digit code') }).strict(),
] as const;

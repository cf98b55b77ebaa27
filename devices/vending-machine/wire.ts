import * as z from 'zod';
import { CommonTelemetryShape, DoorStateSchema } from '../../firmware-protocol/src/kinds/common.ts';
import type { KindWire } from '../../firmware-protocol/src/kinds/kind-wire.ts';
import { TransactionIdSchema } from '../../firmware-protocol/src/envelope.ts';
import { WireCredentialSchema } from '../../firmware-protocol/src/messages/credential.ts';

const Fen = z.number().int().nonnegative().max(100_000_000);

/** [FWP-7.3] A vending machine's capabilities: its slots and what they hold. Prices in integer fen. */
export const VendingMachineCapabilitiesSchema = z.object({
  slots: z
    .array(
      z.object({
        slot: z.string().min(1).max(8),
        productId: z.string().min(1).max(64).optional(),
        priceFen: z.number().int().nonnegative().optional(),
        capacity: z.number().int().positive().max(100).optional(),
      }),
    )
    .min(1)
    .max(200),
  refrigerated: z.boolean().default(false),
  cashless: z.boolean().default(true),
});

export const VendingMachineTelemetrySchema = z.object({
  ...CommonTelemetryShape,
  serviceDoor: DoorStateSchema.optional(),
  slots: z
    .array(z.object({ slot: z.string().min(1).max(8), stock: z.number().int().nonnegative() }))
    .max(200)
    .optional(),
});

/** [FWP-11.4] The vending session, modelled on the MDB cashless-device session. */
const VendItemSchema = z
  .object({
    slot: z.string().min(1).max(8),
    productId: z.string().min(1).max(64),
    priceFen: Fen,
  })
  .strict();

/** A card was tapped: open a session; the answer carries the funds available. `txn` = the session. */
const VendBeginSchema = z.object({ op: z.literal('vend_begin'), credential: WireCredentialSchema }).strict();
/**
 * The resident chose an item: hold its price (less benefits). `txn` = this vend. In a session `session`
 * is the vend_begin's txn; in selection-first mode there is no session yet and `credential` comes instead.
 */
const VendRequestSchema = z
  .object({
    op: z.literal('vend_request'),
    session: TransactionIdSchema.optional(),
    credential: WireCredentialSchema.optional(),
    item: VendItemSchema,
  })
  .strict()
  .refine((b) => (b.session === undefined) !== (b.credential === undefined), {
    message: 'give exactly one of session (card tapped first) or credential (item chosen first)',
  });
/** The machine reports whether the item came out: success captures, failure refunds. `txn` = the vend. */
const VendResultSchema = z
  .object({ op: z.literal('vend_result'), success: z.boolean(), reason: z.string().min(1).max(48).optional() })
  .strict();
/** The session ends: `complete` after the resident is done, `cancel` when they walk away. `txn` = the session. */
const VendEndSchema = z.object({ op: z.literal('vend_end'), reason: z.enum(['complete', 'cancel']) }).strict();

export const vendingMachineWire = {
  kind: 'vending_machine',
  label: 'Vending machine',
  clause: 'FWP-7.3',
  capabilities: VendingMachineCapabilitiesSchema,
  telemetry: VendingMachineTelemetrySchema,
  events: [],
  requests: [VendBeginSchema, VendRequestSchema, VendResultSchema, VendEndSchema],
  engineOps: ['authorize', 'capture', 'void', 'lookup'],
  commands: {},
  displays: true,
} as const satisfies KindWire;

/** The requests this kind sends, as validated. */
export type VendingRequest = z.output<(typeof vendingMachineWire)['requests'][number]>;

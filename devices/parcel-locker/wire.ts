import * as z from 'zod';
import { CommonTelemetryShape, DoorStateSchema } from '../../firmware-protocol/src/kinds/common.ts';
import type { KindWire } from '../../firmware-protocol/src/kinds/kind-wire.ts';
import { WireCredentialSchema } from '../../firmware-protocol/src/messages/credential.ts';

const CompartmentSizeSchema = z.enum(['S', 'M', 'L', 'XL']);

/** [FWP-7.2] A parcel locker's capabilities: its compartments and their sizes. */
export const ParcelLockerCapabilitiesSchema = z.object({
  compartments: z
    .array(
      z.object({
        id: z.string().min(1).max(8),
        size: CompartmentSizeSchema,
        refrigerated: z.boolean().default(false),
      }),
    )
    .min(1)
    .max(256),
  hasKeypad: z.boolean().default(true),
  hasScanner: z.boolean().default(true),
});

export const ParcelLockerTelemetrySchema = z.object({
  ...CommonTelemetryShape,
  compartments: z
    .array(z.object({ id: z.string().min(1).max(8), door: DoorStateSchema, occupied: z.boolean().optional() }))
    .max(256)
    .optional(),
});

/** [FWP-11.5] Parcel locker: courier deposit and resident pickup. */
const RecipientSchema = z.discriminatedUnion('type', [
  /** A parcel for one member (the courier app resolved the recipient). */
  z.object({ type: z.literal('member'), memberId: z.string().min(1).max(64) }).strict(),
  /** Goods of a group-buy order (社区团购): the gateway assigns them to the next buyer not yet served. */
  z.object({ type: z.literal('group_buy'), orderId: z.string().min(1).max(64) }).strict(),
]);

/** A courier deposits a parcel: the gateway assigns a free compartment of a fitting size. `txn` = the deposit. */
const DepositSchema = z
  .object({
    op: z.literal('deposit'),
    size: CompartmentSizeSchema,
    tracking: z.string().min(1).max(64),
    recipient: RecipientSchema,
  })
  .strict();
/** A resident taps a card: every compartment holding their parcels at this locker opens. */
const PickupSchema = z.object({ op: z.literal('pickup'), credential: WireCredentialSchema }).strict();
/** A resident enters or scans a pickup code. */
const PickupCodeSchema = z
  .object({ op: z.literal('pickup_code'), code: z.string().regex(/^\d{6,8}$/, 'expected a 6–8 digit code') })
  .strict();

/** A locker compartment door: opened, closed, or it did not open when told to (jammed). */
const CompartmentEventSchema = z
  .object({
    event: z.literal('compartment'),
    compartment: z.string().min(1).max(8),
    state: z.enum(['open', 'closed', 'jammed']),
  })
  .strict();

export type LockerEvent = z.infer<typeof CompartmentEventSchema>;

export const parcelLockerWire = {
  kind: 'parcel_locker',
  label: 'Parcel locker',
  clause: 'FWP-7.2',
  capabilities: ParcelLockerCapabilitiesSchema,
  telemetry: ParcelLockerTelemetrySchema,
  events: [CompartmentEventSchema],
  requests: [DepositSchema, PickupSchema, PickupCodeSchema],
  engineOps: ['authorize', 'capture', 'void', 'lookup'],
  commands: { open_compartment: z.object({ compartment: z.string().min(1).max(8) }).strict() },
  displays: true,
} as const satisfies KindWire;

/** The requests this kind sends, as validated. */
export type LockerRequest = z.output<(typeof parcelLockerWire)['requests'][number]>;

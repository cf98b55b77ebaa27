import * as z from 'zod';
import { CommonTelemetryShape, DoorStateSchema } from '../../firmware-protocol/src/kinds/common.ts';
import type { KindWire } from '../../firmware-protocol/src/kinds/kind-wire.ts';
import { WireCredentialSchema } from '../../firmware-protocol/src/messages/credential.ts';

/** [FWP-7.4] A door reader's capabilities: the doors it controls and where they are. */
export const DoorReaderCapabilitiesSchema = z.object({
  doors: z
    .array(
      z.object({
        id: z.string().min(1).max(16),
        location: z.string().min(1).max(64).optional(),
        hasDoorSensor: z.boolean().default(true),
      }),
    )
    .min(1)
    .max(8),
  readers: z
    .array(z.enum(['nfc', 'qr', 'keypad']))
    .min(1)
    .default(['nfc']),
});

export const DoorReaderTelemetrySchema = z.object({
  ...CommonTelemetryShape,
  doors: z
    .array(
      z.object({
        id: z.string().min(1).max(16),
        state: DoorStateSchema,
        lock: z.enum(['locked', 'unlocked']).optional(),
      }),
    )
    .max(8)
    .optional(),
  tamper: z.boolean().optional(),
});

/** [FWP-11.6] A card or member QR at a door. */
const AccessSchema = z
  .object({ op: z.literal('access'), door: z.string().min(1).max(16), credential: WireCredentialSchema })
  .strict();
/** [FWP-11.6] A visitor code entered or scanned at a door. */
const AccessCodeSchema = z
  .object({
    op: z.literal('access_code'),
    door: z.string().min(1).max(16),
    code: z.string().regex(/^\d{6,8}$/, 'expected a 6–8 digit code'),
  })
  .strict();

/** A door at a reader: opened, closed, forced open without a grant, or held open. */
const DoorEventSchema = z
  .object({
    event: z.literal('door'),
    door: z.string().min(1).max(16),
    state: z.enum(['open', 'closed', 'forced', 'jammed']),
  })
  .strict();

export type DoorEvent = z.infer<typeof DoorEventSchema>;

export const doorReaderWire = {
  kind: 'door_reader',
  label: 'NFC door reader',
  clause: 'FWP-7.4',
  capabilities: DoorReaderCapabilitiesSchema,
  telemetry: DoorReaderTelemetrySchema,
  events: [DoorEventSchema],
  requests: [AccessSchema, AccessCodeSchema],
  engineOps: ['lookup'],
  commands: {
    unlock_door: z
      .object({ door: z.string().min(1).max(16), pulseMs: z.number().int().min(100).max(30_000).default(3000) })
      .strict(),
  },
  displays: false,
} as const satisfies KindWire;

/** The requests this kind sends, as validated. */
export type DoorRequest = z.output<(typeof doorReaderWire)['requests'][number]>;

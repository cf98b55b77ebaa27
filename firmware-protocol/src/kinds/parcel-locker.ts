import { z } from 'zod';
import { CommonTelemetryShape, DoorStateSchema } from './common.ts';

export const CompartmentSizeSchema = z.enum(['S', 'M', 'L', 'XL']);

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

import { z } from 'zod';
import { CommonTelemetryShape, DoorStateSchema } from './common.ts';

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

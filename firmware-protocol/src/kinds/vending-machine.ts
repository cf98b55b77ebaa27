import { z } from 'zod';
import { CommonTelemetryShape, DoorStateSchema } from './common.ts';

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

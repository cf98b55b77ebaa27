import * as z from 'zod';
import { EnvelopeShape, MessageIdSchema } from '../envelope.ts';

/** [FWP-9.3] The device's answer to a command; `corr` is the command's `id`. */
export const AckMessageSchema = z.object({
  ...EnvelopeShape,
  corr: MessageIdSchema,
  type: z.literal('ack'),
  body: z.object({
    status: z.enum(['done', 'rejected', 'failed']),
    /** For rejected/failed: the device's own reason code, e.g. "E_DOOR_JAMMED". */
    reason: z.string().min(1).max(48).optional(),
    detail: z.string().max(200).optional(),
    result: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
});

export type AckMessage = z.infer<typeof AckMessageSchema>;

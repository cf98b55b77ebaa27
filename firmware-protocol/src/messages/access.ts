import { z } from 'zod';
import { WireCredentialSchema } from './credential.ts';

/** [FWP-11.6] Door reader: access decisions (and activity check-in when the reader is set to an event). */
export const AccessOpSchemas = [
  /** A card or member QR at a door. */
  z.object({ op: z.literal('access'), door: z.string().min(1).max(16), credential: WireCredentialSchema }).strict(),
  /** A visitor code entered or scanned at a door. */
  z
    .object({
      op: z.literal('access_code'),
      door: z.string().min(1).max(16),
      code: z.string().regex(/^\d{6,8}$/, 'expected a 6–8 digit code'),
    })
    .strict(),
] as const;

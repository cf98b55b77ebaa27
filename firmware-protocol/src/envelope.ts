import * as z from 'zod';

/** [FWP-4.2] Message id: unique per device and session; used to drop transport duplicates. */
export const MessageIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
/** [FWP-4.3] Transaction id: one business operation (one vend, one door open); kept across retries. */
export const TransactionIdSchema = MessageIdSchema;

/** [FWP-4.1] Fields of every message; each message adds `type` and `body`. */
export const EnvelopeShape = {
  /** Full protocol version "major.minor" of the sender. */
  v: z.string().regex(/^\d{1,3}\.\d{1,3}$/, 'expected "major.minor", e.g. "1.0"'),
  id: MessageIdSchema,
  /**
   * Sender's wall clock, milliseconds since the Unix epoch. Informational: the gateway never trusts it for timeouts.
   */
  ts: z.number().int().nonnegative(),
  /**
   * [FWP-4.4] Per-device, per-session sequence number: 0 for the birth, +1 for every later uplink, wraps after 2^32-1.
   */
  seq: z.number().int().min(0).max(0xffff_ffff),
  txn: TransactionIdSchema.optional(),
  /** [FWP-5.1] On a response, ack or error: the `id` of the message it answers. */
  corr: MessageIdSchema.optional(),
};

/** Just the envelope, for reading the header of a message whose body failed validation. */
export const EnvelopeHeaderSchema = z.object({
  v: z.string().optional(),
  id: z.string().optional(),
  type: z.string().optional(),
  txn: z.string().optional(),
});

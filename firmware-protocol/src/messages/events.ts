import { z } from 'zod';
import { EnvelopeShape } from '../envelope.ts';

/**
 * [FWP-11.7] What a device observed, on up/event (QoS 1): the confirmed state that the gateway keeps
 * apart from what it commanded. `txn` names the flow the event belongs to (a pickup, a deposit, a door open).
 */
export const EventBodySchema = z.discriminatedUnion('event', [
  /** A locker compartment door: opened, closed, or it did not open when told to (jammed). */
  z
    .object({
      event: z.literal('compartment'),
      compartment: z.string().min(1).max(8),
      state: z.enum(['open', 'closed', 'jammed']),
    })
    .strict(),
  /** A door at a reader: opened, closed, forced open without a grant, or held open. */
  z
    .object({
      event: z.literal('door'),
      door: z.string().min(1).max(16),
      state: z.enum(['open', 'closed', 'forced', 'jammed']),
    })
    .strict(),
  /** The device's tamper switch. */
  z.object({ event: z.literal('tamper'), open: z.boolean() }).strict(),
]);

export const EventMessageSchema = z.object({ ...EnvelopeShape, type: z.literal('event'), body: EventBodySchema });

export type EventBody = z.infer<typeof EventBodySchema>;
export type EventMessage = z.infer<typeof EventMessageSchema>;

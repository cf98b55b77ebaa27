import * as z from 'zod';
import { KIND_MODULES } from '../../../devices/registry.ts';
import { EnvelopeShape } from '../envelope.ts';

/** The device's tamper switch; any kind may have one. */
export const TamperEventSchema = z.object({ event: z.literal('tamper'), open: z.boolean() }).strict();

type KindEvent = (typeof KIND_MODULES)[number]['wire']['events'][number];

/** Which kinds may send an event: the kinds declaring it, or every kind for the common ones. */
export const EVENT_KINDS: ReadonlyMap<string, readonly string[] | 'all'> = new Map<string, readonly string[] | 'all'>([
  ['tamper', 'all'],
  ...KIND_MODULES.flatMap((m) =>
    m.wire.events.map((e) => [e.shape.event.value, [m.wire.kind]] as [string, readonly string[]]),
  ),
]);

/**
 * [FWP-11.7] What a device observed, on up/event (QoS 1): the confirmed state that the gateway keeps
 * apart from what it commanded. `txn` names the flow the event belongs to (a pickup, a deposit, a door
 * open). The kinds' own events come from their wire contracts.
 */
export const EventBodySchema = z.discriminatedUnion('event', [
  TamperEventSchema,
  ...KIND_MODULES.flatMap((m) => m.wire.events as readonly z.ZodObject[]),
] as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<
  z.output<typeof TamperEventSchema> | z.output<KindEvent>,
  z.input<typeof TamperEventSchema> | z.input<KindEvent>
>;

export const EventMessageSchema = z.object({ ...EnvelopeShape, type: z.literal('event'), body: EventBodySchema });

export type EventBody = z.infer<typeof EventBodySchema>;
export type EventMessage = z.infer<typeof EventMessageSchema>;

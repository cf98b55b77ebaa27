import type * as z from 'zod';

/** Requests served by the redemption engine itself; a kind lists the ones its devices may send [FWP-11.2]. */
export const ENGINE_OPS = ['redeem', 'reverse', 'authorize', 'capture', 'void', 'lookup'] as const;
export type EngineOp = (typeof ENGINE_OPS)[number];

/**
 * A device kind's wire contract [FWP-1.2]: everything a device of this kind may send and must
 * understand, as zod schemas. The protocol's unions (births, telemetry, events, requests, commands)
 * are built from the registry's kinds, so a new kind never edits the protocol's files.
 */
export interface KindWire {
  /** The kind's name on the wire, e.g. "parcel_locker". */
  readonly kind: string;
  /** Human name, e.g. "Parcel locker". */
  readonly label: string;
  /** The PROTOCOL.md clause that describes this kind, e.g. "FWP-7.2". */
  readonly clause: string;
  /** What the birth's `capabilities` holds. */
  readonly capabilities: z.ZodObject;
  /** The kind's telemetry body (with the common fields of [FWP-7.1]). */
  readonly telemetry: z.ZodObject;
  /** The kind's own events on up/event, each an object with an `event` literal [FWP-11.7]. */
  readonly events: readonly z.ZodObject[];
  /** The kind's own requests on up/request, each an object with an `op` literal [FWP-11.2]. */
  readonly requests: readonly z.ZodObject[];
  /** Requests of the redemption engine this kind's devices may send. */
  readonly engineOps: readonly EngineOp[];
  /** The kind's own commands (name → arguments) [FWP-9.2]. */
  readonly commands: Readonly<Record<string, z.ZodObject>>;
  /** Whether the device has a screen and implements `display_message`. */
  readonly displays: boolean;
}

/** The literal of a discriminated object schema, e.g. the `op` of a request schema. */
export function literalOf(schema: z.ZodObject, key: string): string {
  const field = schema.shape[key] as { value?: unknown } | undefined;
  if (typeof field?.value !== 'string') throw new Error(`schema has no literal "${key}"`);
  return field.value;
}

import * as z from 'zod';
import { KIND_MODULES } from '../../../devices/registry.ts';
import { EnvelopeShape } from '../envelope.ts';

/** [FWP-8.1] Birth/death session counter (Sparkplug's bdSeq): +1 on every connect, 0..65535, wraps. */
export const BdSeqSchema = z.number().int().min(0).max(0xffff);

const birthCommon = {
  bdSeq: BdSeqSchema,
  firmware: z.string().min(1).max(32),
  hardware: z.string().min(1).max(64).optional(),
  /** [FWP-8.4] The interval at which this device promises heartbeats. */
  heartbeatS: z.number().int().min(5).max(3600).default(30),
};

type Wire = (typeof KIND_MODULES)[number]['wire'];
type BirthCommon = z.output<z.ZodObject<typeof birthCommon>>;
type BirthCommonInput = z.input<z.ZodObject<typeof birthCommon>>;
/** One birth per kind: `kind`, the common fields and that kind's capabilities. */
type BirthOf<W extends Wire> = W extends Wire
  ? BirthCommon & { kind: W['kind']; capabilities: z.output<W['capabilities']> }
  : never;
type BirthInputOf<W extends Wire> = W extends Wire
  ? BirthCommonInput & { kind: W['kind']; capabilities: z.input<W['capabilities']> }
  : never;
type TelemetryOfWire<W extends Wire> = W extends Wire ? { kind: W['kind'] } & z.output<W['telemetry']> : never;
type TelemetryInputOfWire<W extends Wire> = W extends Wire ? { kind: W['kind'] } & z.input<W['telemetry']> : never;

/** A discriminated union built from the registry's kinds (zod needs at least one member). */
function unionByKind(members: z.ZodObject[]) {
  return z.discriminatedUnion('kind', members as [z.ZodObject, ...z.ZodObject[]]);
}

/** [FWP-8.2] First message of every session: who the device is and what it can do. One member per kind. */
export const BirthBodySchema = unionByKind(
  KIND_MODULES.map((m) =>
    z.object({ kind: z.literal(m.wire.kind), ...birthCommon, capabilities: m.wire.capabilities }),
  ),
) as unknown as z.ZodType<BirthOf<Wire>, BirthInputOf<Wire>>;
export const BirthMessageSchema = z.object({ ...EnvelopeShape, type: z.literal('birth'), body: BirthBodySchema });

/** [FWP-8.3] The last will, registered at CONNECT with the same bdSeq as the birth that follows. */
export const DeathMessageSchema = z.object({
  ...EnvelopeShape,
  type: z.literal('death'),
  body: z.object({ bdSeq: BdSeqSchema, reason: z.enum(['lost', 'shutdown']).default('lost') }),
});

/** [FWP-8.4] Heartbeat: proof of life at the promised interval. */
export const HeartbeatMessageSchema = z.object({
  ...EnvelopeShape,
  type: z.literal('heartbeat'),
  body: z.object({ uptimeS: z.number().int().nonnegative() }),
});

/** [FWP-7.1] Telemetry: the device's current readings, tagged with its kind. One member per kind. */
export const TelemetryBodySchema = unionByKind(
  KIND_MODULES.map((m) => m.wire.telemetry.extend({ kind: z.literal(m.wire.kind) })),
) as unknown as z.ZodType<TelemetryOfWire<Wire>, TelemetryInputOfWire<Wire>>;
export const TelemetryMessageSchema = z.object({
  ...EnvelopeShape,
  type: z.literal('telemetry'),
  body: TelemetryBodySchema,
});

export type BirthMessage = z.infer<typeof BirthMessageSchema>;
export type BirthBody = z.infer<typeof BirthBodySchema>;
export type DeathMessage = z.infer<typeof DeathMessageSchema>;
export type HeartbeatMessage = z.infer<typeof HeartbeatMessageSchema>;
export type TelemetryMessage = z.infer<typeof TelemetryMessageSchema>;
export type TelemetryBody = z.infer<typeof TelemetryBodySchema>;

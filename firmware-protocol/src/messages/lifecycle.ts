import { z } from 'zod';
import { EnvelopeShape } from '../envelope.ts';
import {
  DoorReaderCapabilitiesSchema,
  DoorReaderTelemetrySchema,
  ParcelLockerCapabilitiesSchema,
  ParcelLockerTelemetrySchema,
  ShopScannerCapabilitiesSchema,
  ShopScannerTelemetrySchema,
  VendingMachineCapabilitiesSchema,
  VendingMachineTelemetrySchema,
} from '../kinds/index.ts';

/** [FWP-8.1] Birth/death session counter (Sparkplug's bdSeq): +1 on every connect, 0..65535, wraps. */
export const BdSeqSchema = z.number().int().min(0).max(0xffff);

const birthCommon = {
  bdSeq: BdSeqSchema,
  firmware: z.string().min(1).max(32),
  hardware: z.string().min(1).max(64).optional(),
  /** [FWP-8.4] The interval at which this device promises heartbeats. */
  heartbeatS: z.number().int().min(5).max(3600).default(30),
};

/** [FWP-8.2] First message of every session: who the device is and what it can do. */
export const BirthBodySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('parcel_locker'), ...birthCommon, capabilities: ParcelLockerCapabilitiesSchema }),
  z.object({ kind: z.literal('vending_machine'), ...birthCommon, capabilities: VendingMachineCapabilitiesSchema }),
  z.object({ kind: z.literal('door_reader'), ...birthCommon, capabilities: DoorReaderCapabilitiesSchema }),
  z.object({ kind: z.literal('shop_scanner'), ...birthCommon, capabilities: ShopScannerCapabilitiesSchema }),
]);
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

/** [FWP-7.1] Telemetry: the device's current readings, tagged with its kind. */
export const TelemetryBodySchema = z.discriminatedUnion('kind', [
  ParcelLockerTelemetrySchema.extend({ kind: z.literal('parcel_locker') }),
  VendingMachineTelemetrySchema.extend({ kind: z.literal('vending_machine') }),
  DoorReaderTelemetrySchema.extend({ kind: z.literal('door_reader') }),
  ShopScannerTelemetrySchema.extend({ kind: z.literal('shop_scanner') }),
]);
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
